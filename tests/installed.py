"""PROVISIONAL stand-in for the ``dbscaffold`` fixture (an :class:`InstalledCli`).

The real module runs the CLI from the built wheel in an isolated environment with a
minimal ``PATH``; it replaces this file at merge. This one has the same interface but
runs ``python -m dbscaffold`` from the development environment.
"""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest


class InstalledCli:
    """The ``dbscaffold`` command, run as a user runs it."""

    def run(
        self,
        *args: str,
        cwd: Path,
        check: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``dbscaffold *args`` in ``cwd``; with ``check``, fail the test on a non-zero exit."""
        environment = dict(os.environ if env is None else env)
        environment.pop("VIRTUAL_ENV", None)
        completed = subprocess.run(
            [sys.executable, "-m", "dbscaffold", *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"`dbscaffold {' '.join(args)}` failed in {cwd} (exit {completed.returncode}):\n"
                f"{completed.stdout}{completed.stderr}"
            )
        return completed


@pytest.fixture(scope="session")
def dbscaffold() -> InstalledCli:
    return InstalledCli()
