"""``dbscaffold new`` and ``dbscaffold demo``, run as a user runs them."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, tree_bytes


def dbscaffold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbscaffold", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_new_creates_a_project_with_the_given_answers(tmp_path: Path) -> None:
    result = dbscaffold(
        "new",
        "billing",
        "--defaults",
        "--data",
        "primary_key=dual",
        "--data",
        "project_name=Billing",
        cwd=tmp_path,
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
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = dbscaffold("new", "project", "--defaults", *args, cwd=tmp_path)

    assert result.returncode == 2
    error, hint = result.stderr.strip().splitlines()
    assert error.startswith("error: ")
    assert message in error
    assert hint.startswith("hint: ")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_destination_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "notes.txt").write_text("mine")
    before = tree_bytes(tmp_path)

    result = dbscaffold("new", "project", "--defaults", cwd=tmp_path)

    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert tree_bytes(tmp_path) == before


def test_an_empty_existing_destination_is_fine(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()

    result = dbscaffold("new", "project", "--defaults", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "project" / "pyproject.toml").is_file()


@pytest.mark.slow
def test_demo_generates_installs_and_tests_a_project(tmp_path: Path) -> None:
    result = dbscaffold("demo", str(tmp_path / "demo"), cwd=REPO_ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert f"done: {tmp_path / 'demo'}" in result.stdout
