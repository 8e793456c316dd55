"""Generated projects on a live PostgreSQL server, and through PgBouncer.

Needs the servers that ``.ci/databases start`` runs (CI always does); without
them these tests are skipped and say so.
"""

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import Generate, answers_id
from tests.helpers import SharedEnvironment, run

if TYPE_CHECKING:
    from tests.installed import InstalledCli

POSTGRES_URL = os.environ.get("DBSCAFFOLD_TEST_POSTGRES_URL", "")
PGBOUNCER_URL = os.environ.get("DBSCAFFOLD_TEST_PGBOUNCER_URL", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (POSTGRES_URL and PGBOUNCER_URL),
        reason='no PostgreSQL: run `eval "$(.ci/databases start)"` first',
    ),
]

#: Every primary key strategy, each mixin on and off at least once.
POSTGRES_MATRIX: list[dict[str, Any]] = [
    {"database": "postgresql", "primary_key": "uuid7"},
    {
        "database": "postgresql",
        "primary_key": "uuid4",
        "timestamps": False,
        "soft_delete": False,
        "versioning": False,
    },
    {"database": "postgresql", "primary_key": "int", "soft_delete": False},
    {"database": "postgresql", "primary_key": "dual", "timestamps": False, "versioning": False},
    # A SQLite project moved to PostgreSQL by its DATABASE_URL alone.
    {"database": "sqlite", "primary_key": "dual"},
]

PGBOUNCER_MATRIX: list[dict[str, Any]] = [
    {"database": "postgresql", "pgbouncer": True, "primary_key": "int"},
    {"database": "postgresql", "pgbouncer": True, "primary_key": "uuid7", "soft_delete": False},
]


class Databases:
    """Creates uniquely named databases on the test server, and drops them afterwards."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self) -> str:
        name = f"dbscaffold_{uuid.uuid4().hex[:12]}"
        psql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.created:
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psql(sql: str) -> None:
    run(
        ["psql", POSTGRES_URL, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", sql],
        cwd=Path.cwd(),
    )


def async_url(server_url: str, database: str) -> str:
    """``server_url`` for the asyncpg driver, naming ``database``."""
    parts = urlsplit(server_url)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{database}", parts.query, ""))


def installed_postgresql_project(
    cli: "InstalledCli", project: Path, databases: Databases
) -> dict[str, str]:
    """Install ``project`` and point it at a new database of the server, migrated to head;
    returns the ``DATABASE_URL`` environment for its commands."""
    from tests.installed import install_project, project_tool

    install_project(cli, project)
    database = {"DATABASE_URL": async_url(POSTGRES_URL, databases.create())}
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    return database


def verify_on(server_url: str, project: Path, env: SharedEnvironment, dbs: Databases) -> None:
    tests_url = async_url(server_url, dbs.create())
    output = env.run(
        project,
        "python",
        "-m",
        "pytest",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
        DATABASE_URL=tests_url,
    )
    assert "SKIPPED" not in output, output  # the PostgreSQL-only tests really ran
    migrations_url = async_url(server_url, dbs.create())
    for command in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
        env.run(project, "alembic", *command, DATABASE_URL=migrations_url)


@pytest.mark.parametrize("answers", POSTGRES_MATRIX, ids=answers_id)
def test_generated_project_passes_on_postgresql(
    generate: Generate, shared_env: SharedEnvironment, databases: Databases, answers: dict[str, Any]
) -> None:
    verify_on(POSTGRES_URL, generate(**answers), shared_env, databases)


@pytest.mark.parametrize("answers", PGBOUNCER_MATRIX, ids=answers_id)
def test_generated_project_passes_through_pgbouncer(
    generate: Generate, shared_env: SharedEnvironment, databases: Databases, answers: dict[str, Any]
) -> None:
    verify_on(PGBOUNCER_URL, generate(**answers), shared_env, databases)
