"""add-model in generated projects, on a live PostgreSQL server: the tests it writes pass there.

SQLite forgives what PostgreSQL does not (a string longer than its column, for one),
so each field mix is migrated and tested on a server. Needs the servers that
``.ci/databases start`` runs (CI always does); without them these tests are skipped.
"""

from typing import Any

import pytest

from tests import test_generated_projects_postgresql as on_postgresql
from tests.conftest import Generate, answers_id
from tests.helpers import SharedEnvironment, run
from tests.installed import InstalledCli, install_project, project_tool
from tests.test_add_model_projects import MODELS
from tests.test_generated_projects_postgresql import POSTGRES_URL, Databases, async_url, verify_on

pytestmark = on_postgresql.pytestmark

#: Short enum values (a one-character column), composite-free refs, every mixin off.
SMALL_MODELS = [
    ("Tag", ["label:str{40}:unique", "kind:enum:a:bb=a", "weight:float?"]),
    ("Note", ["body:text", "tag:ref:Tag?:setnull", "grade:enum:x:y", "due:date?"]),
]

CASES: list[tuple[dict[str, Any], list[tuple[str, list[str]]]]] = [
    ({"database": "postgresql", "primary_key": "uuid7"}, MODELS),
    (
        {
            "database": "postgresql",
            "primary_key": "int",
            "timestamps": False,
            "soft_delete": False,
            "versioning": False,
        },
        MODELS,
    ),
    ({"database": "postgresql", "primary_key": "dual", "example_model": False}, SMALL_MODELS),
    ({"database": "sqlite", "primary_key": "uuid4", "soft_delete": False}, SMALL_MODELS),
]


@pytest.mark.parametrize(
    ("answers", "models"),
    CASES,
    ids=[f"{answers_id(answers)},models={models[0][0]}" for answers, models in CASES],
)
def test_added_models_pass_their_tests_on_postgresql(
    generate: Generate,
    dbscaffold: InstalledCli,
    shared_env: SharedEnvironment,
    databases: Databases,
    answers: dict[str, Any],
    models: list[tuple[str, list[str]]],
) -> None:
    project = generate(**answers)
    install_project(dbscaffold, project)
    if answers["database"] == "sqlite":  # moved to PostgreSQL: the driver is the user's to add
        python = str(project / ".venv" / "bin" / "python")
        run(["uv", "pip", "install", "--quiet", "--python", python, "asyncpg"], cwd=project)
    database = {"DATABASE_URL": async_url(POSTGRES_URL, databases.create())}
    project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)
    for name, fields in models:
        dbscaffold.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)

    verify_on(POSTGRES_URL, project, shared_env, databases)
