"""What the template generates, and what it refuses to generate."""

import re
import tomllib
from pathlib import Path

import pytest
from pytest_copie.plugin import Copie

from dbscaffold.imports import MAX_PACKAGE_NAME
from tests.conftest import Generate
from tests.helpers import snapshot_of_repository, tree_bytes


def source_text(project: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(project.rglob("*.py")))


def dependencies(project: Path) -> str:
    return " ".join(
        tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    )


def test_generation_is_deterministic(copie: Copie, tmp_path: Path) -> None:
    # A snapshot without .git: copying from a checkout with uncommitted changes
    # records a fresh temporary commit id each time, which is not the template's doing.
    snapshot = snapshot_of_repository(tmp_path / "template")
    answers = {"primary_key": "dual", "project_name": "Billing API"}

    first = copie.copy(extra_answers=answers, template_dir=snapshot)
    second = copie.copy(extra_answers=answers, template_dir=snapshot)

    assert first.project_dir is not None
    assert second.project_dir is not None
    assert tree_bytes(first.project_dir) == tree_bytes(second.project_dir)


def test_the_default_project_has_the_documented_layout(generate: Generate) -> None:
    project = generate()
    expected = [
        ".copier-answers.yml",
        ".env.example",
        ".github/workflows/ci.yml",
        ".gitignore",
        "README.md",
        "alembic.ini",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/2026-11-21_create_article_table.py",
        "pyproject.toml",
        "src/my_service/db/session.py",
        "src/my_service/db/soft_delete.py",
        "src/my_service/models/article.py",
        "src/my_service/repositories/article.py",
        "tests/models/test_article.py",
    ]
    assert [path for path in expected if not (project / path).is_file()] == []


def test_the_package_name_derives_from_the_project_name(generate: Generate) -> None:
    project = generate(project_name="Billing API (v2)")

    assert (project / "src" / "billing_api_v2" / "db" / "session.py").is_file()


def test_options_that_are_off_leave_no_trace(generate: Generate) -> None:
    project = generate(
        primary_key="int",
        timestamps=False,
        soft_delete=False,
        versioning=False,
        example_model=False,
        github_actions=False,
    )
    source = source_text(project)

    traces = (
        "deleted_at",
        "soft_delete",
        "version_id",
        "ConflictError",
        "created_at",
        "updated_at",
        "utcnow",
        "uuid7",
        "uuid_utils",
        "Article",
        "public_id",
    )
    for trace in traces:
        assert trace not in source, trace
    assert not (project / ".github").exists()
    assert not (project / "src" / "my_service" / "db" / "soft_delete.py").exists()
    assert list((project / "migrations" / "versions").glob("*.py")) == []
    assert "uuid-utils" not in dependencies(project)
    assert "asyncpg" not in dependencies(project)


def test_uuid7_keys_use_a_real_uuid7_on_every_python(generate: Generate) -> None:
    key = (generate(primary_key="uuid7") / "src/my_service/db/primary_key.py").read_text()

    assert "from uuid_utils.compat import uuid7" in key
    assert "uuid4" not in key


def test_postgresql_projects_depend_on_asyncpg_and_test_on_sqlite_too(generate: Generate) -> None:
    project = generate(database="postgresql")

    assert "asyncpg" in dependencies(project)
    assert "aiosqlite" in (project / "pyproject.toml").read_text()  # the test default
    assert "postgresql+asyncpg://" in (project / ".env.example").read_text()


def test_pgbouncer_is_only_asked_for_postgresql(generate: Generate) -> None:
    sqlite_project = generate(database="sqlite", pgbouncer=True)
    pg_project = generate(database="postgresql", pgbouncer=True)

    assert "pgbouncer" not in (sqlite_project / ".copier-answers.yml").read_text()
    assert "NullPool" not in source_text(sqlite_project)
    assert "NullPool" in source_text(pg_project)


INVALID_ANSWERS = [
    ({"package_name": "My-Service"}, "lowercase Python identifier"),
    ({"package_name": "1service"}, "lowercase Python identifier"),
    ({"package_name": "class"}, "keyword"),
    ({"package_name": "typing"}, "standard library"),
    ({"package_name": "test"}, "shadow"),
    ({"package_name": "sqlalchemy"}, "dependency"),
    ({"package_name": "alembic"}, "dependency"),
    ({"package_name": "a" * (MAX_PACKAGE_NAME + 1)}, f"at most {MAX_PACKAGE_NAME}"),
    ({"project_name": "2049"}, "lowercase Python identifier"),
    ({"primary_key": "serial"}, "primary_key"),
    ({"python_version": "3.10"}, "python_version"),
    ({"database": "mysql"}, "database"),
]


@pytest.mark.parametrize(("answers", "message"), INVALID_ANSWERS, ids=lambda v: str(v))
def test_an_invalid_answer_fails_the_copy_and_leaves_nothing(
    copie: Copie, answers: dict[str, str], message: str
) -> None:
    result = copie.copy(extra_answers=answers)

    assert result.exit_code != 0
    assert re.search(message, str(result.exception))
    assert [p for p in copie.test_dir.rglob("*") if p.is_file()] == []
