"""``dbscaffold demo``: generate a project with the defaults and run its own test suite."""

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from dbscaffold.errors import DbscaffoldError


def run_step(description: str, command: Sequence[str], cwd: Path) -> None:
    """Run one command of the demo in ``cwd``, its output going to the terminal."""
    print(f"==> {description}: {' '.join(command)}", flush=True)
    # The project gets its own environment, not whichever one runs dbscaffold.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    completed = subprocess.run(command, cwd=cwd, env=env, check=False)
    if completed.returncode != 0:
        raise DbscaffoldError(
            f"{description} failed (exit code {completed.returncode}) in {cwd}",
            hint="the project is left in place so you can look at it",
        )


def uv_executable() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise DbscaffoldError("uv is not installed", hint="pip install uv")
    return uv


def verify_project(project: Path) -> None:
    """Install the generated project with uv and run its tests, as its README says."""
    uv = uv_executable()
    run_step("install the project", [uv, "sync", "--quiet"], project)
    run_step("run its test suite", [uv, "run", "pytest", "-q"], project)
