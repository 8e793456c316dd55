"""``dbscaffold new`` and ``dbscaffold demo``, run from the installed wheel as a user runs them."""

import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
import yaml

from dbscaffold import cli
from dbscaffold.errors import ConflictError, DbscaffoldError
from dbscaffold.registry import KEY_STRATEGIES
from tests.helpers import REPO_ROOT, tree_bytes
from tests.installed import InstalledCli


def test_version_is_the_packages(dbscaffold: InstalledCli, tmp_path: Path) -> None:
    result = dbscaffold.run("--version", cwd=tmp_path)

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert result.stdout == f"dbscaffold {project['version']}\n"
    assert project["version"] == version("dbscaffold")


def test_version_is_read_from_the_installed_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    import dbscaffold

    assert dbscaffold.__version__ == version("dbscaffold")
    released = {"dbscaffold": "9.9.9"}
    monkeypatch.setattr(importlib.metadata, "version", released.__getitem__)
    assert dbscaffold.__version__ == "9.9.9"


@pytest.mark.parametrize(
    "error", [DbscaffoldError("bad input", hint="try this"), ConflictError("x")]
)
def test_any_command_reports_a_dbscaffold_error_as_one_line_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: DbscaffoldError
) -> None:
    """Commands raise; ``main`` reports, so a new command needs no handling of its own."""
    app = typer.Typer()

    @app.command()
    def fails() -> None:
        raise error

    monkeypatch.setattr(cli, "app", app)
    monkeypatch.setattr(sys, "argv", ["dbscaffold"])

    with pytest.raises(SystemExit) as exited:
        cli.main()

    assert exited.value.code == error.exit_code
    expected = f"error: {error.message}\n" + (f"hint: {error.hint}\n" if error.hint else "")
    assert capsys.readouterr().err == expected


def test_pk_choices_are_the_templates_and_offered_in_help_and_completion(
    dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    questions = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    choices = list(questions["primary_key"]["choices"].values())
    assert [key.value for key in KEY_STRATEGIES] == choices

    help_text = dbscaffold.run("add-model", "--help", cwd=tmp_path).stdout
    assert "--pk <uuid7|uuid4|int|dual>" in help_text

    completion = dbscaffold.run(
        cwd=tmp_path,
        env={
            "_DBSCAFFOLD_COMPLETE": "complete_bash",
            "COMP_WORDS": "dbscaffold add-model Widget --pk ",
            "COMP_CWORD": "4",
        },
    )
    assert completion.stdout.split() == choices
    partial = dbscaffold.run(
        cwd=tmp_path,
        env={
            "_DBSCAFFOLD_COMPLETE": "complete_bash",
            "COMP_WORDS": "dbscaffold add-model Widget --pk uu",
            "COMP_CWORD": "4",
        },
    )
    assert partial.stdout.split() == ["uuid7", "uuid4"]


def test_new_creates_a_project_with_the_given_answers(
    dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    result = dbscaffold.run(
        "new",
        "billing",
        "--defaults",
        "--data",
        "primary_key=dual",
        "--data",
        "project_name=Billing",
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    answers = (tmp_path / "billing" / ".copier-answers.yml").read_text()
    assert "primary_key: dual" in answers
    assert (tmp_path / "billing" / "src" / "billing" / "models" / "article.py").is_file()
    assert "created billing" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "package_name=typing"], "would shadow the standard library"),
        (["--data", "primary_key=serial"], "Invalid choice for 'primary_key'"),
        (["--data", "primary_key"], "--data expects KEY=VALUE"),
        (["--data", "package_name=Not Valid"], "lowercase Python identifier"),
    ],
)
def test_bad_answers_are_one_line_and_write_nothing(
    dbscaffold: InstalledCli, tmp_path: Path, args: list[str], message: str
) -> None:
    result = dbscaffold.run("new", "project", "--defaults", *args, cwd=tmp_path, check=False)

    assert result.returncode == 2
    error, hint = result.stderr.strip().splitlines()
    assert error.startswith("error: ")
    assert message in error
    assert hint.startswith("hint: ")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_destination_is_refused_and_left_alone(
    dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "notes.txt").write_text("mine")
    before = tree_bytes(tmp_path)

    result = dbscaffold.run("new", "project", "--defaults", cwd=tmp_path, check=False)

    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert tree_bytes(tmp_path) == before


def test_an_empty_existing_destination_is_fine(dbscaffold: InstalledCli, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()

    result = dbscaffold.run("new", "project", "--defaults", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "project" / "pyproject.toml").is_file()


@pytest.mark.slow
def test_demo_generates_installs_and_tests_a_project(
    dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    result = dbscaffold.run("demo", str(tmp_path / "demo"), cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert f"done: {tmp_path / 'demo'}" in result.stdout
