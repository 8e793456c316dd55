# Runs inside the benchmark environment (see environment.py), not the repository's own
# venv: SQLAlchemy, advanced-alchemy and the generated project are importable only there,
# so mypy (run from the repository's venv) checks this file with those imports as Any.
# mypy: disable-error-code="import-not-found"
"""Data-layer measurements: a generated project's repository against two baselines.

Three contenders do the same work on the same model shape and the same rows:

* ``ours``: the generated project's ``Repository`` and session factory;
* ``hand``: the fastest idiomatic hand-written SQLAlchemy 2.x (Core ``insert()`` with
  a list of parameter sets, ``session.get``, attribute changes plus ``flush``, a
  plain ``select``), with a plain ``AsyncSession`` on the same mapped class;
* ``aa``: advanced-alchemy's ``SQLAlchemyAsyncRepository`` on its own equivalent model.

``offset`` is one more contender for the deep page: the same page by OFFSET.

Subcommands: ``probe`` / ``create-db`` / ``drop-db`` (PostgreSQL housekeeping) and
``measure`` (writes the raw timings as JSON; see :func:`measure`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from advanced_alchemy.base import IdentityBase, UUIDv7AuditBase
from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Integer, String, Text, delete, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from uuid_utils.compat import uuid7

CONTENDERS = ("ours", "hand", "aa")
BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 3


@dataclass(frozen=True)
class Sizes:
    """Row counts and repetitions; the full run's are the issue's."""

    read_rows: int = 100_000
    depth: int = 50_000
    page_size: int = 50
    page_repeat: int = 20
    add_rows: int = 10_000
    get_count: int = 2_000
    update_count: int = 1_000
    list_rows: int = 1_000
    list_repeat: int = 10
    runs: int = 7
    warmups: int = 1


# -- models -----------------------------------------------------------------------


class Columns:
    """The payload columns every benchmark model has, whatever its base."""

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)


class AASoftDelete:
    """advanced-alchemy has no soft-delete mixin: the same column as the project's."""

    deleted_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), default=None, index=True
    )


def aa_version_column() -> dict[str, Any]:
    """advanced-alchemy has no optimistic-locking mixin: plain SQLAlchemy's version counter."""
    version_id = mapped_column(Integer, nullable=False)
    return {"version_id": version_id, "__mapper_args__": {"version_id_col": version_id}}


@dataclass(frozen=True)
class Models:
    """The mapped classes of one shape: read and write tables, ours (also hand's) and aa's."""

    full: bool
    ours_read: type[Any]
    ours_write: type[Any]
    aa_read: type[Any]
    aa_write: type[Any]

    def read(self, who: str) -> type[Any]:
        return self.aa_read if who == "aa" else self.ours_read

    def write(self, who: str) -> type[Any]:
        return self.aa_write if who == "aa" else self.ours_write


def build_models(full: bool) -> Models:
    """Map the benchmark tables on the generated project's ``Base`` and mixins, and on aa's."""
    from my_service.db import mixins
    from my_service.db.base import Base

    ours_bases: tuple[type[Any], ...]
    if full:
        ours_bases = (
            mixins.UUIDPrimaryKeyMixin,
            mixins.TimestampMixin,
            mixins.SoftDeleteMixin,
            mixins.VersionMixin,
        )
        aa_bases: tuple[type[Any], ...] = (AASoftDelete, UUIDv7AuditBase)
    else:
        ours_bases = (mixins.IntegerPrimaryKeyMixin,)
        aa_bases = (IdentityBase,)

    def model(prefix: str, table: str, bases: tuple[type[Any], ...]) -> type[Any]:
        attributes: dict[str, Any] = {"__tablename__": table}
        if full and prefix == "AA":
            attributes.update(aa_version_column())
        return type(f"{prefix}{table.title()}", (Columns, *bases), attributes)

    return Models(
        full=full,
        ours_read=model("Ours", "bench_read", (*ours_bases, Base)),
        ours_write=model("Ours", "bench_write", (*ours_bases, Base)),
        aa_read=model("AA", "aa_read", aa_bases),
        aa_write=model("AA", "aa_write", aa_bases),
    )


def metadatas(models: Models) -> list[Any]:
    return [models.ours_read.metadata, models.aa_read.metadata]


# -- the benchmark context --------------------------------------------------------


@dataclass
class Bench:
    """What every operation needs: engine, sessions, models, sizes, the seeded keys."""

    engine: AsyncEngine
    models: Models
    sizes: Sizes
    ours_sessions: async_sessionmaker[AsyncSession]
    plain_sessions: async_sessionmaker[AsyncSession]
    read_ids: list[Any] = field(default_factory=list)
    repositories: dict[tuple[type[Any], type[Any]], type[Any]] = field(default_factory=dict)
    profiler: Any = None
    last_seconds: float = 0.0

    def session(self, who: str) -> AsyncSession:
        """Ours gets the project's session factory; the baselines a plain one."""
        return self.ours_sessions() if who == "ours" else self.plain_sessions()

    def ours_repository(self, session: AsyncSession, model: type[Any]) -> Any:
        """The generated ``Repository`` subclassed for ``model``, as a project would."""
        from my_service.db.repository import Repository

        repository = self.repository_class(Repository, "model", model)
        # A project that lists more rows than the default cap raises it the same way.
        repository.max_page_size = max(repository.max_page_size, self.sizes.list_rows)
        return repository(session)

    def aa_repository(self, session: AsyncSession, model: type[Any]) -> Any:
        repository = self.repository_class(SQLAlchemyAsyncRepository, "model_type", model)
        return repository(session=session)

    def repository_class(self, base: type[Any], attribute: str, model: type[Any]) -> type[Any]:
        key = (base, model)
        if key not in self.repositories:
            name = f"{model.__name__}Repository"
            self.repositories[key] = type(name, (base,), {attribute: model})
        return self.repositories[key]

    def live(self, model: type[Any]) -> list[Any]:
        """The soft-delete filter, written out (for the baselines)."""
        return [model.deleted_at.is_(None)] if self.models.full else []

    def rows(self, count: int, start: int = 0) -> list[dict[str, Any]]:
        return [
            {"title": f"title {i}", "body": BODY, "score": i} for i in range(start, start + count)
        ]

    @asynccontextmanager
    async def timed(self) -> AsyncIterator[None]:
        """Time (and, when profiling, profile) the block; the result is ``last_seconds``.

        The garbage collector stays on, but what exists before the block (the harness's
        100,000 seeded keys, the previous rounds' leftovers) is frozen out of its way.
        """
        gc.collect()
        gc.freeze()
        if self.profiler is not None:
            self.profiler.start()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.last_seconds = time.perf_counter() - start
            if self.profiler is not None:
                self.profiler.stop()
            gc.unfreeze()

    async def execute(self, *statements: Any) -> None:
        async with self.engine.begin() as connection:
            for statement in statements:
                await connection.execute(statement)

    async def clear(self, model: type[Any]) -> None:
        if self.engine.dialect.name == "postgresql":
            await self.execute(text(f"TRUNCATE {model.__tablename__}"))
        else:
            await self.execute(delete(model))

    async def insert_rows(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        """Seed ``rows`` with Core (untimed setup), in chunks the drivers take well."""
        extra = {"version_id": 1} if self.models.full else {}
        async with self.engine.begin() as connection:
            for start in range(0, len(rows), 10_000):
                chunk = [{**row, **extra} for row in rows[start : start + 10_000]]
                await connection.execute(insert(model), chunk)

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self.engine.connect() as connection:
            stmt = select(func.count()).select_from(model).where(*where)
            return int((await connection.execute(stmt)).scalar_one())


# -- seeding ------------------------------------------------------------------------


async def drop_schema(bench: Bench) -> None:
    async with bench.engine.begin() as connection:
        for metadata in metadatas(bench.models):
            await connection.run_sync(metadata.drop_all)


async def create_schema(bench: Bench) -> None:
    async with bench.engine.begin() as connection:
        for metadata in metadatas(bench.models):
            await connection.run_sync(metadata.drop_all)
            await connection.run_sync(metadata.create_all)


async def seed_read_tables(bench: Bench) -> None:
    """The same rows in ours' and aa's read tables; with soft delete, one in 11 is deleted.

    ``read_rows`` rows are live either way; keys ascend in insertion order.
    """
    sizes, models = bench.sizes, bench.models
    total = sizes.read_rows + (sizes.read_rows // 10 if models.full else 0)
    rows = bench.rows(total)
    deleted_at = datetime.now(UTC) - timedelta(days=1)
    for index, row in enumerate(rows):
        if models.full:
            row["id"] = uuid7()
            row["deleted_at"] = deleted_at if index % 11 == 10 else None
        else:
            row["id"] = index + 1
    for model in (models.ours_read, models.aa_read):
        await bench.insert_rows(model, rows)
    bench.read_ids = [row["id"] for row in rows if row.get("deleted_at") is None]
    await analyze(bench)


async def analyze(bench: Bench) -> None:
    if bench.engine.dialect.name == "postgresql":
        async with bench.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    else:
        await bench.execute(text("ANALYZE"))


# -- operations ---------------------------------------------------------------------


class Operation:
    """One measured operation: ``run(who)`` returns the seconds of its timed block."""

    name = ""
    contenders: tuple[str, ...] = CONTENDERS

    def __init__(self, bench: Bench) -> None:
        self.bench = bench

    def label(self) -> str:
        raise NotImplementedError

    def repeat(self) -> int:
        """How many requests one timed block makes (for per-request figures)."""
        return 1

    @staticmethod
    def available() -> bool:
        """Whether the generated project offers this operation."""
        return True

    async def run(self, who: str) -> float:
        raise NotImplementedError

    async def extra(self) -> dict[str, float]:
        """Further figures for one round, measured after the contenders (default: none)."""
        return {}


class AddMany(Operation):
    name = "add_many"

    def label(self) -> str:
        return f"add_many {self.bench.sizes.add_rows:,} rows"

    async def run(self, who: str) -> float:
        bench = self.bench
        model = bench.models.write(who)
        await bench.clear(model)
        rows = bench.rows(bench.sizes.add_rows)
        async with bench.session(who) as session:
            add = self.adder(who, session, model)
            async with bench.timed():
                await add(rows)
            await session.commit()
        assert await bench.count(model) == len(rows), f"{who}: add_many lost rows"
        return bench.last_seconds

    def adder(
        self, who: str, session: AsyncSession, model: type[Any]
    ) -> Callable[[list[dict[str, Any]]], Awaitable[Any]]:
        if who == "hand":
            extra = {"version_id": 1} if self.bench.models.full else {}

            async def hand(rows: list[dict[str, Any]]) -> None:
                await session.execute(insert(model), [{**row, **extra} for row in rows])

            return hand
        if who == "ours":
            repository = self.bench.ours_repository(session, model)
        else:
            repository = self.bench.aa_repository(session, model)

        async def add(rows: list[dict[str, Any]]) -> None:
            await repository.add_many([model(**row) for row in rows])

        return add


class InsertMany(AddMany):
    """The generated repository's bulk path, when it has one (``Repository.insert_many``)."""

    name = "insert_many"
    contenders = ("ours", "hand")

    @staticmethod
    def available() -> bool:
        from my_service.db.repository import Repository

        return hasattr(Repository, "insert_many")

    def label(self) -> str:
        return f"insert_many {self.bench.sizes.add_rows:,} rows (bulk, no entities)"

    def adder(
        self, who: str, session: AsyncSession, model: type[Any]
    ) -> Callable[[list[dict[str, Any]]], Awaitable[Any]]:
        if who == "hand":
            return super().adder(who, session, model)
        return self.bench.ours_repository(session, model).insert_many  # type: ignore[no-any-return]


class GetByKey(Operation):
    name = "get"

    def repeat(self) -> int:
        return self.bench.sizes.get_count

    def label(self) -> str:
        return f"get by primary key x {self.bench.sizes.get_count:,}"

    def keys(self) -> list[Any]:
        ids = self.bench.read_ids
        return random.Random(7).sample(ids, min(self.bench.sizes.get_count, len(ids)))

    async def run(self, who: str) -> float:
        bench = self.bench
        model = bench.models.read(who)
        keys = self.keys()
        async with bench.session(who) as session:
            get = self.getter(who, session, model)
            async with bench.timed():
                found = [await get(key) for key in keys]
        assert all(entity is not None for entity in found), f"{who}: get missed rows"
        return bench.last_seconds

    def getter(
        self, who: str, session: AsyncSession, model: type[Any]
    ) -> Callable[[Any], Awaitable[Any]]:
        full = self.bench.models.full
        if who == "ours":
            return self.bench.ours_repository(session, model).get  # type: ignore[no-any-return]
        aa = self.bench.aa_repository(session, model) if who == "aa" else None

        async def get(key: Any) -> Any:
            entity = await (aa.get(key) if aa is not None else session.get(model, key))
            return None if full and entity.deleted_at is not None else entity

        return get


class Update(Operation):
    name = "update"

    def repeat(self) -> int:
        return self.bench.sizes.update_count

    def label(self) -> str:
        check = " with the version check" if self.bench.models.full else ""
        return f"update x {self.bench.sizes.update_count:,}{check}"

    async def run(self, who: str) -> float:
        bench = self.bench
        model = bench.models.write(who)
        await bench.clear(model)
        await bench.insert_rows(model, bench.rows(bench.sizes.update_count))
        async with bench.session(who) as session:
            entities = (await session.scalars(select(model).order_by(model.id))).all()
            async with bench.timed():
                await self.update(who, session, model, entities)
            await session.commit()
        self.check(who, entities)
        return bench.last_seconds

    async def update(
        self, who: str, session: AsyncSession, model: type[Any], entities: Sequence[Any]
    ) -> None:
        if who == "ours":
            repository = self.bench.ours_repository(session, model)
            for i, entity in enumerate(entities):
                await repository.update(entity, title=f"updated {i}")
        elif who == "hand":
            for i, entity in enumerate(entities):
                entity.title = f"updated {i}"
                await session.flush()
        else:
            repository = self.bench.aa_repository(session, model)
            for i, entity in enumerate(entities):
                entity.title = f"updated {i}"
                await repository.update(entity)

    def check(self, who: str, entities: Sequence[Any]) -> None:
        assert all(e.title.startswith("updated") for e in entities), f"{who}: update lost"
        if self.bench.models.full:
            assert all(e.version_id == 2 for e in entities), f"{who}: version not bumped"


class ListLive(Operation):
    name = "list"

    def repeat(self) -> int:
        return self.bench.sizes.list_repeat

    def label(self) -> str:
        sizes = self.bench.sizes
        what = "live rows (soft-delete filter)" if self.bench.models.full else "rows"
        return f"list {sizes.list_rows:,} {what} x {sizes.list_repeat}"

    async def run(self, who: str) -> float:
        bench = self.bench
        model = bench.models.read(who)
        limit = bench.sizes.list_rows
        async with bench.session(who) as session:
            fetch = self.fetcher(who, session, model, limit)
            async with bench.timed():
                for _ in range(bench.sizes.list_repeat):
                    rows = await fetch()
                    session.expunge_all()
        assert len(rows) == limit, f"{who}: list returned {len(rows)} rows"
        return bench.last_seconds

    def fetcher(
        self, who: str, session: AsyncSession, model: type[Any], limit: int
    ) -> Callable[[], Awaitable[Sequence[Any]]]:
        """One request's work: each call builds its statement, as a handler would."""
        bench = self.bench
        if who == "ours":
            repository = bench.ours_repository(session, model)

            async def ours() -> Sequence[Any]:
                return (await repository.list(limit=limit)).items  # type: ignore[no-any-return]

            return ours
        if who == "aa":
            repository = bench.aa_repository(session, model)

            async def aa() -> Sequence[Any]:
                page = LimitOffset(limit=limit, offset=0)
                live = bench.live(model)
                return await repository.get_many(*live, page, order_by=(model.id, False))  # type: ignore[no-any-return]

            return aa

        async def hand() -> Sequence[Any]:
            stmt = select(model).where(*bench.live(model)).order_by(model.id).limit(limit)
            return (await session.scalars(stmt)).all()  # type: ignore[no-any-return]

        return hand


class DeepPage(Operation):
    """One page at depth: ours' keyset cursor, hand-written keyset, aa's and plain OFFSET."""

    name = "page"
    contenders = ("ours", "hand", "aa", "offset")

    def repeat(self) -> int:
        return self.bench.sizes.page_repeat

    def label(self) -> str:
        sizes = self.bench.sizes
        return (
            f"page of {sizes.page_size} at depth {sizes.depth:,} of {sizes.read_rows:,}"
            f" x {sizes.page_repeat}"
        )

    async def run(self, who: str) -> float:
        bench = self.bench
        model = bench.models.read(who)
        async with bench.session(who) as session:
            fetch = await self.fetcher(who, session, model)
            async with bench.timed():
                for _ in range(bench.sizes.page_repeat):
                    rows = await fetch()
                    session.expunge_all()
        expected = bench.read_ids[bench.sizes.depth : bench.sizes.depth + bench.sizes.page_size]
        assert [row.id for row in rows] == expected, f"{who}: wrong page"
        return bench.last_seconds

    async def fetcher(
        self, who: str, session: AsyncSession, model: type[Any]
    ) -> Callable[[], Awaitable[Sequence[Any]]]:
        """One request's work: each call builds its statement, as a handler would."""
        bench = self.bench
        size, depth = bench.sizes.page_size, bench.sizes.depth
        after = bench.read_ids[depth - 1]
        if who == "ours":
            return await self.ours_fetcher(session, model)
        if who == "aa":
            repository = bench.aa_repository(session, model)

            async def aa() -> Sequence[Any]:
                page = LimitOffset(limit=size, offset=depth)
                live = bench.live(model)
                return await repository.get_many(*live, page, order_by=(model.id, False))  # type: ignore[no-any-return]

            return aa

        async def keyset() -> Sequence[Any]:
            stmt = select(model).where(*bench.live(model), model.id > after)
            stmt = stmt.order_by(model.id).limit(size)
            return (await session.scalars(stmt)).all()  # type: ignore[no-any-return]

        async def offset() -> Sequence[Any]:
            stmt = select(model).where(*bench.live(model)).order_by(model.id)
            stmt = stmt.offset(depth).limit(size)
            return (await session.scalars(stmt)).all()  # type: ignore[no-any-return]

        return keyset if who == "hand" else offset

    async def extra(self) -> dict[str, float]:
        """The database's own time per page, keyset and OFFSET: no driver, no ORM.

        PostgreSQL: the execution time EXPLAIN ANALYZE reports; SQLite: the query run
        through the synchronous ``sqlite3`` module on the same file.
        """
        timings: dict[str, float] = {}
        for name, stmt in self.core_statements().items():
            sql = str(stmt.compile(self.bench.engine, compile_kwargs={"literal_binds": True}))
            times = [await self.database_time(sql) for _ in range(self.bench.sizes.page_repeat)]
            timings[f"database_{name}"] = statistics.median(times)
        return timings

    def core_statements(self) -> dict[str, Any]:
        table = self.bench.models.ours_read.__table__
        sizes = self.bench.sizes
        live = [table.c.deleted_at.is_(None)] if self.bench.models.full else []
        base = select(table).where(*live).order_by(table.c.id).limit(sizes.page_size)
        return {
            "keyset": base.where(table.c.id > self.bench.read_ids[sizes.depth - 1]),
            "offset": base.offset(sizes.depth),
        }

    async def database_time(self, sql: str) -> float:
        engine = self.bench.engine
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                explain = f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"
                plan = (await connection.exec_driver_sql(explain)).scalar_one()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            return float(plan[0]["Execution Time"]) / 1000
        with sqlite3.connect(engine.url.database) as connection:
            start = time.perf_counter()
            connection.execute(sql).fetchall()
            return time.perf_counter() - start

    async def ours_fetcher(
        self, session: AsyncSession, model: type[Any]
    ) -> Callable[[], Awaitable[Sequence[Any]]]:
        from my_service.db.pagination import encode_cursor, sort_columns

        bench = self.bench
        last = await session.get(model, bench.read_ids[bench.sizes.depth - 1])
        cursor = encode_cursor(sort_columns((), model.id), last)
        session.expunge_all()
        repository = bench.ours_repository(session, model)

        async def ours() -> Sequence[Any]:
            page = await repository.list(limit=bench.sizes.page_size, after=cursor)
            return page.items  # type: ignore[no-any-return]

        return ours


OPERATIONS: tuple[type[Operation], ...] = (
    AddMany,
    InsertMany,
    GetByKey,
    Update,
    ListLive,
    DeepPage,
)


# -- measuring --------------------------------------------------------------------


async def run_operation(
    operation: Operation, sizes: Sizes
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Warm-ups, then ``runs`` rounds; each round runs every contender once, in rotated order.

    Returns the contenders' timings and the operation's further figures, by round.
    """
    timings: dict[str, list[float]] = {who: [] for who in operation.contenders}
    extras: dict[str, list[float]] = {}
    contenders = list(operation.contenders)
    for round_ in range(sizes.warmups + sizes.runs):
        shift = round_ % len(contenders)
        for who in contenders[shift:] + contenders[:shift]:
            seconds = await operation.run(who)
            if round_ >= sizes.warmups:
                timings[who].append(seconds)
        if round_ >= sizes.warmups:
            for name, value in (await operation.extra()).items():
                extras.setdefault(name, []).append(value)
    return timings, extras


async def profile_operation(operation: Operation, profile_dir: Path, prefix: str) -> None:
    """One more run of each contender under pyinstrument; a text report per contender."""
    from pyinstrument import Profiler

    for who in operation.contenders:
        operation.bench.profiler = Profiler(interval=0.0005, async_mode="enabled")
        try:
            await operation.run(who)
            report = operation.bench.profiler.output_text(unicode=False, color=False)
        finally:
            operation.bench.profiler = None
        (profile_dir / f"{prefix}-{operation.name}-{who}.txt").write_text(report)


async def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every operation, for each ``--target`` database in turn; the raw timings."""
    models = build_models(full=args.shape == "full")
    groups = []
    for target in args.target:
        database, _, url = target.partition("=")
        groups.append(await measure_database(args, models, database, url))
    return groups


async def measure_database(
    args: argparse.Namespace, models: Models, database: str, url: str
) -> dict[str, Any]:
    """Every operation on one database; the process's versions come along."""
    from my_service.db.session import create_engine, create_session_factory
    from my_service.db.settings import DatabaseSettings

    sizes = Sizes(**json.loads(args.sizes))
    engine = create_engine(DatabaseSettings(url=async_url(url)))
    bench = Bench(
        engine=engine,
        models=models,
        sizes=sizes,
        ours_sessions=create_session_factory(engine),
        plain_sessions=async_sessionmaker(engine, expire_on_commit=False),
    )
    try:
        await create_schema(bench)
        await seed_read_tables(bench)
        results = [
            await measure_operation(operation_class(bench), args, f"{database}-{args.shape}")
            for operation_class in OPERATIONS
            if operation_class.available()
            and (not args.operations or operation_class.name in args.operations.split(","))
        ]
        versions = await database_versions(engine)
        await drop_schema(bench)
    finally:
        await engine.dispose()
    return {
        "database": database,
        "shape": args.shape,
        "sizes": asdict(sizes),
        "versions": versions,
        "operations": results,
    }


async def measure_operation(
    operation: Operation, args: argparse.Namespace, prefix: str
) -> dict[str, Any]:
    timings, extras = await run_operation(operation, operation.bench.sizes)
    profile = args.profile_operations.split(",") if args.profile_operations else []
    if args.profile_dir and (operation.name in profile or "all" in profile):
        await profile_operation(operation, Path(args.profile_dir), prefix)
    return {
        "name": operation.name,
        "label": operation.label(),
        "repeat": operation.repeat(),
        "runs": timings,
        "extra_runs": extras,
    }


async def database_versions(engine: AsyncEngine) -> dict[str, str]:
    """Python, the libraries and the database server this process measured."""
    versions = {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        **{name: importlib.metadata.version(name) for name in LIBRARIES},
    }
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            settings = {
                name: (await connection.execute(text(f"SHOW {name}"))).scalar_one()
                for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
            }
        server = settings.pop("server_version")
        details = ", ".join(f"{name} {value}" for name, value in settings.items())
        versions["database"] = f"PostgreSQL {server} ({details})"
    else:
        versions["database"] = f"SQLite {sqlite3.sqlite_version} (file database)"
    return versions


LIBRARIES = ("sqlalchemy", "advanced-alchemy", "aiosqlite", "asyncpg", "greenlet", "uuid-utils")


# -- PostgreSQL housekeeping --------------------------------------------------------


def async_url(url: str, database: str | None = None) -> str:
    """``url`` with the async driver (asyncpg, aiosqlite), optionally another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    if database is not None:
        parsed = parsed.set(database=database)
    return str(parsed.render_as_string(hide_password=False))


async def admin(url: str, statement: str) -> str:
    """Run one statement on the server's maintenance database; return the server version."""
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
        timeout=5,
    )
    try:
        if statement:
            await connection.execute(statement)
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        msg = f"refusing database name {name!r}"
        raise ValueError(msg)
    return f'"{name}"'


async def housekeeping(args: argparse.Namespace) -> dict[str, Any]:
    statements = {
        "probe": "",
        "create-db": f"CREATE DATABASE {quoted(args.name)}" if args.name else "",
        "drop-db": f"DROP DATABASE IF EXISTS {quoted(args.name)} WITH (FORCE)" if args.name else "",
    }
    try:
        version = await admin(args.url, statements[args.command])
    except Exception as exc:  # refused, timed out, or asyncpg's own (auth, no such role)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "server_version": version}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("probe", "create-db", "drop-db"):
        sub = commands.add_parser(name)
        sub.add_argument("--url", required=True)
        sub.add_argument("--name", default="")
    sub = commands.add_parser("measure")
    sub.add_argument(
        "--target", action="append", required=True, help="DATABASE=URL (sqlite, postgresql)"
    )
    sub.add_argument("--shape", choices=["full", "plain"], required=True)
    sub.add_argument("--sizes", default="{}", help="JSON of Sizes fields to override")
    sub.add_argument("--out", required=True)
    sub.add_argument("--operations", default="", help="comma-separated names (default: all)")
    sub.add_argument("--profile-dir", default="")
    sub.add_argument("--profile-operations", default="", help="comma-separated names, or all")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    if args.command == "measure":
        result = asyncio.run(measure(args))
        Path(args.out).write_text(json.dumps(result, indent=1))
        return
    outcome = asyncio.run(housekeeping(args))
    print(json.dumps(outcome))
    if not outcome["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
