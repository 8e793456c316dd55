"""Template updates with real git and real Copier: nothing a team did is lost.

Each test works on a temporary git clone of this repository (its working tree,
tagged as a release), generates projects from it, lets a "team" work on them,
releases a template change, and updates.
"""

from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import REPO_ROOT, SharedEnvironment, run, snapshot_of_repository, tree_bytes
from tests.installed import InstalledCli, install_project, project_tool
from tests.test_generated_projects import verify

PAGINATION = "template/src/{{package_name}}/db/pagination.py.jinja"
TEMPLATE_DOCSTRING = '"""Keyset pagination: pages that stay fast at any depth, with opaque cursors.'

pytestmark = pytest.mark.slow


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], cwd=repo)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{variable}_NAME", "dbscaffold tests")
        monkeypatch.setenv(f"{variable}_EMAIL", "tests@dbscaffold.invalid")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A git repository of this template, released as v1.0.0."""
    clone = snapshot_of_repository(tmp_path / "template")
    git(clone, "init", "--quiet", "--initial-branch=main")
    commit_all(clone, "template 1.0.0")
    git(clone, "tag", "v1.0.0")
    return clone


def release(template: Path, version: str, old: str, new: str, path: str = PAGINATION) -> None:
    """Change one line of a template file, commit and tag it."""
    file = template / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))
    commit_all(template, f"template {version}")
    git(template, "tag", f"v{version}")


def copy(template: Path, destination: Path, ref: str, **answers: Any) -> Path:
    copier.run_copy(
        str(template), str(destination), data=answers, defaults=True, vcs_ref=ref, quiet=True
    )
    return destination


def start_project(template: Path, destination: Path, **answers: Any) -> Path:
    project = copy(template, destination, "v1.0.0", **answers)
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all(project, "generated")
    return project


def add_models_and_edit(project: Path, cli: InstalledCli) -> dict[str, str]:
    """What a team does: two models with migrations, edits to a model and a shared module."""
    package = project / "src" / "my_service"
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    install_project(cli, project)
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    cli.run("add-model", "Author", "name:str{100}", "--migration", cwd=project, env=database)
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    cli.run(
        "add-model",
        "Book",
        "title:str{200}",
        "author:ref:Author:cascade",
        "--migration",
        cwd=project,
        env=database,
    )
    (project / "dev.db").unlink()
    edits = {
        "src/my_service/models/book.py": "\n    def __repr__(self) -> str:\n"
        '        return f"Book({self.title!r})"\n',
        "src/my_service/db/errors.py": "\n\nclass QuotaExceededError(DataLayerError):\n"
        '    """The team\'s own error, added to a module the template owns."""\n',
    }
    for name, addition in edits.items():
        with (project / name).open("a") as file:
            file.write(addition)
    assert (package / "models" / "author.py").is_file()
    commit_all(project, "team work")
    return {
        name: (project / name).read_text()
        for name in [
            *edits,
            "src/my_service/models/author.py",
            "tests/models/test_book.py",
            "src/my_service/repositories/book.py",
        ]
    }


@pytest.mark.parametrize(
    "answers",
    [{}, {"primary_key": "int", "soft_delete": False, "versioning": False}],
    ids=["defaults", "int-no-soft-delete-no-versioning"],
)
def test_an_update_keeps_the_teams_work_and_brings_the_change(
    template: Path,
    tmp_path: Path,
    dbscaffold: InstalledCli,
    shared_env: SharedEnvironment,
    answers: dict[str, Any],
) -> None:
    project = start_project(template, tmp_path / "project", **answers)
    kept = add_models_and_edit(project, dbscaffold)
    new_docstring = '"""Keyset pagination (v1.1): fast at any depth, with opaque cursors.'
    release(template, "1.1.0", TEMPLATE_DOCSTRING, new_docstring)

    output = dbscaffold.run("update", cwd=project).stdout

    assert "updated" in output
    assert new_docstring in (project / "src/my_service/db/pagination.py").read_text()
    for name, text in kept.items():
        assert (project / name).read_text() == text, name
    assert not list(project.rglob("*.rej"))
    assert "_commit: v1.1.0" in (project / ".copier-answers.yml").read_text()
    verify(project, shared_env)

    # Files the team never touched are exactly what a fresh copy of 1.1.0 gives.
    fresh = tree_bytes(copy(template, tmp_path / "fresh", "v1.1.0", **answers))
    updated = tree_bytes(project, ignore={".git", ".venv"})
    edited = {"src/my_service/db/errors.py"}
    assert {n: c for n, c in fresh.items() if n not in edited} == {
        n: updated[n] for n in fresh if n not in edited
    }

    # A second update finds nothing to do.
    commit_all(project, "update to 1.1.0")
    assert "already up to date" in dbscaffold.run("update", cwd=project).stdout
    assert git(project, "status", "--porcelain") == ""


def test_a_real_conflict_is_reported_and_keeps_the_users_line(
    template: Path, tmp_path: Path, dbscaffold: InstalledCli
) -> None:
    project = start_project(template, tmp_path / "project")
    pagination = project / "src/my_service/db/pagination.py"
    users_line = '"""Keyset pagination, as our team uses it.'
    pagination.write_text(pagination.read_text().replace(TEMPLATE_DOCSTRING, users_line, 1))
    commit_all(project, "our wording")
    release(template, "1.1.0", TEMPLATE_DOCSTRING, '"""Keyset pagination, reworded upstream.')

    result = dbscaffold.run("update", cwd=project, check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflicts in 1 file(s): src/my_service/db/pagination.py" in result.stderr
    text = pagination.read_text()
    assert "<<<<<<< " in text
    assert users_line in text


def test_a_dirty_tree_is_refused_before_anything_changes(
    template: Path, tmp_path: Path, dbscaffold: InstalledCli
) -> None:
    project = start_project(template, tmp_path / "project")
    (project / "notes.txt").write_text("work in progress\n")
    release(template, "1.1.0", TEMPLATE_DOCSTRING, '"""Keyset pagination, reworded.')
    before = tree_bytes(project, ignore={".git"})

    result = dbscaffold.run("update", cwd=project, check=False)

    assert result.returncode == 2
    assert "uncommitted changes" in result.stderr
    assert tree_bytes(project, ignore={".git"}) == before


def test_turning_soft_delete_on_later_keeps_existing_models_working(
    template: Path, tmp_path: Path, dbscaffold: InstalledCli, shared_env: SharedEnvironment
) -> None:
    project = start_project(template, tmp_path / "project", soft_delete=False)
    add_models_and_edit(project, dbscaffold)

    dbscaffold.run("update", "--data", "soft_delete=true", cwd=project)

    repository = (project / "src/my_service/db/repository.py").read_text()
    assert "SoftDeleteRepository[ModelT]" in repository
    assert (project / "src/my_service/db/soft_delete.py").is_file()
    assert "soft_delete: true" in (project / ".copier-answers.yml").read_text()
    assert "SoftDeleteMixin" not in (project / "src/my_service/models/book.py").read_text()
    verify(project, shared_env)


def test_the_repository_has_release_notes_for_every_version() -> None:
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    assert "## v0.1.0" in changelog
