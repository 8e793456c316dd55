"""Writers against a migration: the online-safe one autogenerate writes, and Alembic's plain one.

A generated PostgreSQL project gets ``Customer`` and ``Purchase``; the purchase table is
loaded with ``--rows`` rows (1,000,000). Then, for each variant, on a fresh database, 8
writers insert and update purchases without pause while ``alembic upgrade head`` runs
the migration of::

    dbscaffold add-field Purchase 'code:str{20}?:index' 'customer:ref:Customer?' 'priority:int=0'

plus a data step that fills ``code`` for the existing rows. The variants:

* ``online``: ``add-field --migration`` as it is (``online.create_index``: a concurrent
  build; ``online.create_foreign_key``: ``NOT VALID`` then validated; ``priority`` NOT NULL
  with a server default), and ``online.backfill(...)`` for the data step;
* ``plain``: ``alembic -x online=false revision --autogenerate`` (the same model change):
  ``create_index``, ``create_foreign_key``, the same ``add_column``, and one ``UPDATE``.

Reported per variant: the writers' operations and errors while the migration ran, their
latency then (p50, p99, max: the stall a writer saw), and the migration's wall time.

    uv run python benchmarks/online_migration.py            # full size, into benchmarks/results
    uv run python benchmarks/online_migration.py --smoke    # 20,000 rows, into a temp dir (CI)
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from environment import (
    REPO_ROOT,
    BenchmarkError,
    dbscaffold_command,
    generate_project,
    postgres_url,
    run,
)

WRITERS_SCRIPT = Path(__file__).resolve().parent / "online_writers.py"
ANSWERS = (
    "database=postgresql",
    "primary_key=int",
    "timestamps=false",
    "soft_delete=false",
    "versioning=false",
    "example_model=false",
)
FIELDS = ("code:str{20}?:index", "customer:ref:Customer?", "priority:int=0")
MESSAGE = "add code customer priority to purchase"
#: The data step, appended to upgrade(): fill ``code`` for the rows that exist.
DATA_STEP = {
    "online": "    online.backfill('purchase', 'code', sa.text(\"'P-' || id\"))\n",
    "plain": "    op.execute(\"UPDATE purchase SET code = 'P-' || id WHERE code IS NULL\")\n",
}
VARIANTS = ("online", "plain")


class Project:
    """The generated project, its tools run from its own ``.venv``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def env(self, database_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        if database_url is not None:
            env["DATABASE_URL"] = database_url
        return env

    def tool(self, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [str(self.root / ".venv" / "bin" / args[0]), *args[1:]]
        return run(command, self.root, self.env(url))

    def dbscaffold(self, *args: str, url: str) -> subprocess.CompletedProcess[str]:
        return run(dbscaffold_command(*args), self.root, self.env(url))

    def database(self, *args: str) -> str:
        return self.tool("python", str(WRITERS_SCRIPT), *args).stdout.strip()


def asyncpg_url(admin_url: str, name: str) -> tuple[str, str]:
    """The scratch database's URL for asyncpg, and for SQLAlchemy."""
    head, _, _ = admin_url.rpartition("/")
    plain = f"{head}/{name}"
    return plain, plain.replace("postgresql://", "postgresql+asyncpg://", 1)


def prepare(destination: Path, admin_url: str) -> Project:
    """Generate the project with Customer and Purchase and their migrations (committed)."""
    project = Project(generate_project(destination, ANSWERS))
    run(["uv", "sync", "--quiet"], project.root, project.env())
    name = f"bench_{secrets.token_hex(4)}"
    project.database("create-db", admin_url, name)
    try:
        _, url = asyncpg_url(admin_url, name)
        project.tool("alembic", "upgrade", "head", url=url)
        for model, fields in (
            ("Customer", ["name:str{100}"]),
            ("Purchase", ["amount:int", "note:str{100}?"]),
        ):
            project.dbscaffold("add-model", model, *fields, "--migration", url=url)
            project.tool("alembic", "upgrade", "head", url=url)
    finally:
        project.database("drop-db", admin_url, name)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        run(["git", *command], project.root)
    return project


def reset(project: Project) -> None:
    """The project as :func:`prepare` left it: the other variant's changes gone."""
    run(["git", "reset", "-q", "--hard"], project.root)
    run(["git", "clean", "-qfd", "src", "tests", "migrations"], project.root)


def migration_for(project: Project, variant: str, url: str) -> Path:
    """The variant's migration, written into the project."""
    versions = project.root / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    if variant == "online":
        project.dbscaffold("add-field", "Purchase", *FIELDS, "--migration", url=url)
    else:
        project.dbscaffold("add-field", "Purchase", *FIELDS, url=url)
        project.tool(
            "alembic", "-x", "online=false", "revision", "--autogenerate", "-m", MESSAGE, url=url
        )
    [path] = set(versions.glob("*.py")) - before
    source = path.read_text()
    marker = "    # ### end Alembic commands ###\n\n\ndef downgrade"
    assert marker in source, source
    path.write_text(source.replace(marker, DATA_STEP[variant] + marker, 1))
    return path


def measure(
    project: Project, admin_url: str, variant: str, rows: int, writers: int
) -> dict[str, Any]:
    name = f"bench_{secrets.token_hex(4)}"
    plain_url, url = asyncpg_url(admin_url, name)
    project.database("create-db", admin_url, name)
    try:
        reset(project)
        project.tool("alembic", "upgrade", "head", url=url)
        project.database("load", plain_url, str(rows))
        migration = migration_for(project, variant, url)
        with tempfile.TemporaryDirectory() as scratch:
            stop, log = Path(scratch) / "stop", Path(scratch) / "log.json"
            command = [
                str(project.root / ".venv" / "bin" / "python"),
                str(WRITERS_SCRIPT),
                "write",
                plain_url,
                str(writers),
                str(stop),
                str(log),
            ]
            writing = subprocess.Popen(command, cwd=project.root, env=project.env())
            time.sleep(2)  # the writers at full speed before the migration starts
            started = time.time()
            upgrade = subprocess.run(
                [str(project.root / ".venv" / "bin" / "alembic"), "upgrade", "head"],
                cwd=project.root,
                env=project.env(url),
                capture_output=True,
                text=True,
                check=False,
            )
            finished = time.time()
            time.sleep(1)
            stop.touch()
            if writing.wait(timeout=120) != 0:
                raise BenchmarkError("the writers failed")
            operations = json.loads(log.read_text())
        if upgrade.returncode != 0:
            raise BenchmarkError(f"alembic upgrade head failed:\n{upgrade.stdout}{upgrade.stderr}")
        return summary(variant, migration, operations, started, finished)
    finally:
        project.database("drop-db", admin_url, name)


def summary(
    variant: str,
    migration: Path,
    operations: Sequence[Sequence[Any]],
    started: float,
    finished: float,
) -> dict[str, Any]:
    """The writers' operations that overlapped the migration: count, errors, latency."""
    during = [op for op in operations if op[0] < finished and op[0] + op[1] > started]
    latencies = sorted(op[1] for op in during)
    errors = [op[2] for op in during if op[2]]
    return {
        "variant": variant,
        "migration_seconds": round(finished - started, 3),
        "operations": len(during),
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:3],
        "stall_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "stall_p99_ms": round(1000 * _percentile(latencies, 0.99), 1) if latencies else None,
        "stall_max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        "upgrade": _upgrade_lines(migration),
    }


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _upgrade_lines(migration: Path) -> list[str]:
    source = migration.read_text()
    body = source.split("def upgrade() -> None:\n", 1)[1].split("\n\n\ndef downgrade", 1)[0]
    lines = textwrap.dedent(body).splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def report(results: Sequence[Mapping[str, Any]], rows: int, writers: int, server: str) -> str:
    lines = [
        "# Online migration under load",
        "",
        f"{rows:,} rows in `purchase`, {writers} writers inserting and updating without pause,",
        "`alembic upgrade head` for `dbscaffold add-field Purchase 'code:str{20}?:index'",
        "'customer:ref:Customer?' 'priority:int=0'` plus a data step filling `code` for the",
        f"existing rows. PostgreSQL {server}; {platform.machine()}, {os.cpu_count()} cores",
        "shared by the server, the writers and the migration. Written by",
        "`benchmarks/online_migration.py`.",
        "",
        "| variant | migration | writer operations during it | writer errors"
        " | stall p50 | stall p99 | stall max |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result['variant']} | {result['migration_seconds']:.1f} s"
            f" | {result['operations']:,} | {result['errors']} | {result['stall_p50_ms']} ms"
            f" | {result['stall_p99_ms']} ms | {result['stall_max_ms']} ms |"
        )
    for result in results:
        lines += ["", f"## `{result['variant']}`: `upgrade()`", "", "```python"]
        lines += result["upgrade"]
        lines += ["```"]
        if result["first_errors"]:
            lines += ["", "First writer errors: " + "; ".join(result["first_errors"])]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="20,000 rows, into a temp dir")
    parser.add_argument("--postgres-url")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rows = 20_000 if args.smoke else args.rows
    out = args.out or (
        Path(tempfile.mkdtemp()) if args.smoke else REPO_ROOT / "benchmarks" / "results"
    )
    admin_url = postgres_url(args.postgres_url)
    workdir = Path(tempfile.mkdtemp(prefix="online-migration-"))
    try:
        project = prepare(workdir / "shop", admin_url)
        results = [measure(project, admin_url, variant, rows, args.writers) for variant in VARIANTS]
        server = project.database("version", admin_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    data = {"rows": rows, "writers": args.writers, "server": server, "results": results}
    (out / "online_migration.json").write_text(json.dumps(data, indent=1) + "\n")
    (out / "online_migration.md").write_text(report(results, rows, args.writers, server))
    print((out / "online_migration.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
