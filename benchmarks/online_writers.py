# Runs with the generated project's Python (asyncpg is importable there, not in this
# repository's venv), so mypy checks this file with asyncpg as Any.
# mypy: disable-error-code="import-not-found"
"""The database side of ``online_migration.py``: runs with the generated project's Python
(it has asyncpg), as ``python online_writers.py COMMAND ...``.

- ``create-db URL NAME`` / ``drop-db URL NAME``: a scratch database on the server;
  ``version URL``: the server's version.
- ``load URL ROWS``: ``ROWS`` purchases and a few customers, in one statement each.
- ``write URL WRITERS STOP OUT``: ``WRITERS`` connections inserting and updating purchases
  without pause, each operation its own transaction, until the file ``STOP`` exists; every
  operation's wall-clock start, duration and error go to ``OUT`` (JSON).
"""

import asyncio
import json
import random
import sys
import time
from pathlib import Path

import asyncpg


async def create_db(url: str, name: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_db(url: str, name: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def version(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        print(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


async def load(url: str, rows: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "INSERT INTO customer (name) SELECT 'customer ' || n FROM generate_series(1, 10) n"
        )
        await connection.execute(
            "INSERT INTO purchase (amount, note)"
            " SELECT n % 1000, 'note ' || n FROM generate_series(1, $1::int) n",
            rows,
        )
        await connection.execute("VACUUM ANALYZE purchase")
    finally:
        await connection.close()


async def writer(url: str, rows: int, stop: Path, log: list[list[object]]) -> None:
    connection = await asyncpg.connect(url)
    insert = "INSERT INTO purchase (amount, note) VALUES ($1, $2)"
    update = "UPDATE purchase SET amount = amount + 1 WHERE id = $1"
    try:
        while not stop.exists():
            for statement, arguments in (
                (insert, (random.randrange(1000), "written during the migration")),
                (update, (random.randrange(1, rows + 1),)),
            ):
                started, clock = time.time(), time.perf_counter()
                error = None
                try:
                    await connection.execute(statement, *arguments)
                except asyncpg.PostgresError as failure:
                    error = f"{type(failure).__name__}: {failure}"
                log.append([started, time.perf_counter() - clock, error])
    finally:
        await connection.close()


async def write(url: str, writers: int, stop: Path, out: Path) -> None:
    rows = await _count(url)
    log: list[list[object]] = []
    await asyncio.gather(*(writer(url, rows, stop, log) for _ in range(writers)))
    out.write_text(json.dumps(log))


async def _count(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT max(id) FROM purchase"))
    finally:
        await connection.close()


def main(arguments: list[str]) -> None:
    command, *rest = arguments
    if command == "create-db":
        asyncio.run(create_db(rest[0], rest[1]))
    elif command == "drop-db":
        asyncio.run(drop_db(rest[0], rest[1]))
    elif command == "version":
        asyncio.run(version(rest[0]))
    elif command == "load":
        asyncio.run(load(rest[0], int(rest[1])))
    elif command == "write":
        asyncio.run(write(rest[0], int(rest[1]), Path(rest[2]), Path(rest[3])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
