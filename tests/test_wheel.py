"""``dbscaffold new`` works from a built wheel in a fresh environment, not only here."""

import zipfile
from pathlib import Path

import copier
import pytest

from tests.helpers import REPO_ROOT, run, snapshot_of_repository, tree_bytes
from tests.installed import InstalledCli


@pytest.mark.slow
def test_new_from_an_installed_wheel_matches_the_template(
    dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    dbscaffold.run("new", "from-wheel", "--defaults", cwd=tmp_path)
    copier.run_copy(
        str(REPO_ROOT), str(tmp_path / "from-checkout"), defaults=True, vcs_ref="HEAD", quiet=True
    )

    from_wheel = tree_bytes(tmp_path / "from-wheel", ignore={".copier-answers.yml"})
    from_checkout = tree_bytes(tmp_path / "from-checkout", ignore={".copier-answers.yml"})
    assert from_wheel == from_checkout
    assert "src/my_service/db/repository.py" in from_wheel


def test_the_wheel_ships_the_code_templates_once_in_the_template(
    dbscaffold: InstalledCli,
) -> None:
    with zipfile.ZipFile(dbscaffold.wheel) as wheel:
        names = wheel.namelist()

    codegen = sorted(name for name in names if "/codegen/" in name)
    assert codegen == sorted(
        f"dbscaffold/_template/src/dbscaffold/codegen/{path.name}"
        for path in (REPO_ROOT / "src" / "dbscaffold" / "codegen").iterdir()
    )


@pytest.mark.slow
def test_a_project_made_from_the_wheel_can_be_updated_from_the_release_tag(
    dbscaffold: InstalledCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{variable}_NAME", "dbscaffold tests")
        monkeypatch.setenv(f"{variable}_EMAIL", "tests@dbscaffold.invalid")
    # The release's repository: a clone of this one, tagged with the package's version.
    release = snapshot_of_repository(tmp_path / "release")
    run(["git", "init", "--quiet"], cwd=release)
    run(["git", "add", "-A"], cwd=release)
    run(["git", "commit", "--quiet", "-m", "release"], cwd=release)
    run(["git", "tag", "v0.1.0"], cwd=release)
    source = {"DBSCAFFOLD_TEMPLATE_SOURCE": str(release)}

    dbscaffold.run("new", "project", "--defaults", cwd=tmp_path, env=source)
    project = tmp_path / "project"
    answers = (project / ".copier-answers.yml").read_text()
    assert "_commit: v0.1.0" in answers
    assert f"_src_path: {release}" in answers
    run(["git", "init", "--quiet"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "--quiet", "-m", "generated"], cwd=project)

    output = dbscaffold.run("update", cwd=project).stdout

    assert "already up to date" in output
