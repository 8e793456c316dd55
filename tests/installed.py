"""``dbscaffold`` as users install it: the built wheel, alone in its own tool environment.

End-to-end tests of the CLI run it through :class:`InstalledCli`, never the
development environment's ``dbscaffold``: the wheel is built once per test run,
installed with ``uv tool install`` into a directory of its own, and run with a
``PATH`` that holds only the tool's ``bin``, ``uv``, ``git`` and the system
directories, so nothing the development environment provides (ruff, alembic,
copier's own scripts) can hide a command the installed tool depends on.
"""

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import REPO_ROOT, run

#: The system directories on the PATH of the installed tool.
SYSTEM_PATH = ("/usr/bin", "/bin")
#: Variables of the test process that would point the tool at the development environment.
_DROPPED = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV", "UV_RUN_RECURSION_DEPTH"}


@dataclass(frozen=True)
class InstalledCli:
    """The ``dbscaffold`` of an isolated install of this repository's wheel."""

    #: The tool's ``bin`` directory: the ``dbscaffold`` entry point and nothing else.
    bin: Path
    #: A directory holding only links to ``uv`` and ``git``.
    tools: Path
    wheel: Path

    @property
    def executable(self) -> Path:
        return self.bin / "dbscaffold"

    @property
    def path(self) -> str:
        """The whole ``PATH`` the tool runs with."""
        return os.pathsep.join([str(self.bin), str(self.tools), *SYSTEM_PATH])

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The test process's environment, less the development environment, plus ``extra``."""
        env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
        env["PATH"] = self.path
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        cwd: Path,
        check: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``dbscaffold *args`` in ``cwd`` (``env`` adds to the minimal environment).

        With ``check``, a non-zero exit fails the test, showing the command's output.
        """
        completed = subprocess.run(
            ["dbscaffold", *args],
            cwd=cwd,
            env=self.env(env),
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


def _uv() -> str:
    # `uv run` names itself in UV; elsewhere it is on PATH (maybe as a shim script).
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise RuntimeError("uv is needed to build and install the wheel")
    return uv


def _tools_dir(directory: Path) -> Path:
    """A directory of links to ``uv`` and ``git`` (their own directories hold other tools)."""
    directory.mkdir(parents=True)
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is needed by `dbscaffold update`")
    for name, target in (("uv", _uv()), ("git", git)):
        (directory / name).symlink_to(Path(target).resolve())
    return directory


def installed_cli(cache_dir: Path) -> InstalledCli:
    """Build and install the wheel (once, even across xdist workers); return the tool."""
    root = cache_dir / "installed-dbscaffold"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / "installed-dbscaffold.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            uv = _uv()
            run(
                [uv, "build", "--quiet", "--wheel", "--out-dir", str(root / "dist"), "."], REPO_ROOT
            )
            wheel = next((root / "dist").glob("dbscaffold-*.whl"))
            env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
            env |= {"UV_TOOL_DIR": str(root / "tools"), "UV_TOOL_BIN_DIR": str(root / "bin")}
            python = f"{sys.version_info.major}.{sys.version_info.minor}"
            run([uv, "tool", "install", "--quiet", "--python", python, str(wheel)], root, env)
            _tools_dir(root / "path-tools")
            (root / ".complete").touch()
    cli = InstalledCli(
        bin=root / "bin",
        tools=root / "path-tools",
        wheel=next((root / "dist").glob("dbscaffold-*.whl")),
    )
    # The point of the exercise: the project's tools are not within reach by name.
    for name in ("ruff", "alembic", "copier", "pytest"):
        assert shutil.which(name, path=cli.path) is None, f"{name} is on the tool's PATH"
    assert sorted(p.name for p in cli.bin.iterdir()) == ["dbscaffold"]
    return cli


def install_project(cli: InstalledCli, project: Path) -> None:
    """What a user does in a new project before anything else: ``uv sync`` (its ``.venv``)."""
    run(["uv", "sync", "--quiet"], cwd=project, env=cli.env())


def installed_sqlite_project(
    cli: InstalledCli, project: Path, database: str = "dev.db", *, migrate: bool = True
) -> dict[str, str]:
    """Install ``project`` and point it at a SQLite file (migrated to head unless told not
    to); returns the ``DATABASE_URL`` environment for its commands."""
    install_project(cli, project)
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/{database}"}
    if migrate:
        project_tool(cli, project, "alembic", "upgrade", "head", env=env)
    return env


def project_tool(
    cli: InstalledCli, project: Path, tool: str, *args: str, env: Mapping[str, str] | None = None
) -> str:
    """Run one of the project's own tools from its ``.venv``, not activated, not on PATH."""
    command = [str(project / ".venv" / "bin" / tool), *args]
    return run(command, cwd=project, env=cli.env(env))
