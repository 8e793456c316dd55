"""Every pair of option values generates a project whose own checks all pass.

The combinations are `tests/matrix.py`'s: every value of every question paired with
every value of every other, plus the all-on and all-off projects.

Each project runs, as generated: ruff check, ruff format --check, mypy --strict,
its own pytest suite, and alembic upgrade head / check / downgrade base.
"""

from pathlib import Path
from typing import Any

import pytest

from dbscaffold.imports import MAX_PACKAGE_NAME
from tests.conftest import Generate, answers_id
from tests.helpers import SharedEnvironment
from tests.matrix import ALL_ON, generated_matrix


def verify(project: Path, env: SharedEnvironment) -> None:
    env.run(project, "ruff", "check", ".")
    env.run(project, "ruff", "format", "--check", ".")
    env.run(project, "mypy")
    env.run(project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/migrations-check.db"}
    for command in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
        env.run(project, "alembic", *command, **database)


@pytest.mark.slow
@pytest.mark.parametrize("answers", generated_matrix(), ids=answers_id)
def test_generated_project_passes_its_own_checks(
    generate: Generate, shared_env: SharedEnvironment, answers: dict[str, Any]
) -> None:
    verify(generate(**answers), shared_env)


#: As long as copier.yml accepts: the example model's imports are laid out for it.
LONGEST_PACKAGE_NAME = "inventory_and_billing_services"


@pytest.mark.slow
def test_the_longest_package_name_passes_its_own_checks(
    generate: Generate, shared_env: SharedEnvironment
) -> None:
    assert len(LONGEST_PACKAGE_NAME) == MAX_PACKAGE_NAME
    verify(generate(**ALL_ON, package_name=LONGEST_PACKAGE_NAME), shared_env)
