"""``dbscaffold new`` works from a built wheel in a fresh environment, not only here."""

from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, run, tree_bytes


@pytest.mark.slow
def test_new_from_an_installed_wheel_matches_the_template(tmp_path: Path) -> None:
    run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(REPO_ROOT)],
        cwd=tmp_path,
    )
    wheel = next((tmp_path / "dist").glob("dbscaffold-*.whl"))
    venv = tmp_path / "venv"
    run(["uv", "venv", "--quiet", str(venv)], cwd=tmp_path)
    run(
        ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        cwd=tmp_path,
    )

    run([str(venv / "bin" / "dbscaffold"), "new", "from-wheel", "--defaults"], cwd=tmp_path)
    run(
        [
            "uv",
            "run",
            "--no-sync",
            "dbscaffold",
            "new",
            str(tmp_path / "from-checkout"),
            "--defaults",
        ],
        cwd=REPO_ROOT,
    )

    from_wheel = tree_bytes(tmp_path / "from-wheel", ignore={".copier-answers.yml"})
    from_checkout = tree_bytes(tmp_path / "from-checkout", ignore={".copier-answers.yml"})
    assert from_wheel == from_checkout
    assert "src/my_service/db/repository.py" in from_wheel
