"""Every option combination generates a project whose own checks all pass.

Each project runs, as generated: ruff check, ruff format --check, mypy --strict,
its own pytest suite, and alembic upgrade head / check / downgrade base.
"""

import itertools
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Generate, answers_id
from tests.helpers import SharedEnvironment

MIXIN_MATRIX: list[dict[str, Any]] = [
    {"primary_key": pk, "timestamps": ts, "soft_delete": sd, "versioning": v}
    for pk, ts, sd, v in itertools.product(
        ["uuid7", "uuid4", "int", "dual"], [True, False], [True, False], [True, False]
    )
]

OTHER_OPTIONS: list[dict[str, Any]] = [
    {"python_version": "3.12"},
    {"python_version": "3.13", "primary_key": "dual"},
    {"database": "postgresql"},
    {"database": "postgresql", "pgbouncer": True, "primary_key": "int"},
    {"example_model": False},
    {
        "example_model": False,
        "primary_key": "int",
        "timestamps": False,
        "soft_delete": False,
        "versioning": False,
        "github_actions": False,
    },
]


def verify(project: Path, env: SharedEnvironment) -> None:
    env.run(project, "ruff", "check", ".")
    env.run(project, "ruff", "format", "--check", ".")
    env.run(project, "mypy")
    env.run(project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/migrations-check.db"}
    for command in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
        env.run(project, "alembic", *command, **database)


@pytest.mark.slow
@pytest.mark.parametrize("answers", MIXIN_MATRIX + OTHER_OPTIONS, ids=answers_id)
def test_generated_project_passes_its_own_checks(
    generate: Generate, shared_env: SharedEnvironment, answers: dict[str, Any]
) -> None:
    verify(generate(**answers), shared_env)
