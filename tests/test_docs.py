"""The documentation builds strictly, and every shell session in it runs as shown."""

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pytest

from dbscaffold.registry import MIXINS
from tests.helpers import REPO_ROOT, run, snapshot_of_repository
from tests.installed import InstalledCli

DOCS = REPO_ROOT / "docs"
#: The database the docs show; the test runs the session against the CI server instead.
DOCS_DATABASE_URL = "postgresql+asyncpg://postgres@localhost:5432/my_service"
POSTGRES_URL = os.environ.get("DBSCAFFOLD_TEST_POSTGRES_URL", "")


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)


def console_sessions(markdown: str) -> list[list[Command]]:
    """The ```console blocks of a page: ``$ `` lines and the output lines after them."""
    sessions = []
    for block in re.findall(r"^```console\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL):
        commands: list[Command] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif line.strip():
                commands[-1].expected.append(line.strip())
        sessions.append(commands)
    return sessions


def pages_with_sessions() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md") if console_sessions(p.read_text()))


def run_session(commands: list[Command], workdir: Path, env: dict[str, str]) -> None:
    """Run one session in a single shell (so ``cd`` and ``export`` carry over)."""
    script = ["set -euo pipefail"]
    for index, command in enumerate(commands):
        script += [f"echo '@@command {index}'", f"{command.line} 2>&1"]
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    outputs = re.split(r"^@@command \d+\n", result.stdout, flags=re.MULTILINE)[1:]
    assert result.returncode == 0, (
        f"`{commands[len(outputs) - 1].line}` failed:\n{outputs[-1] if outputs else result.stderr}"
    )
    for command, output in zip(commands, outputs, strict=True):
        for expected in command.expected:
            assert expected in output, f"`{command.line}` did not print {expected!r}:\n{output}"


def session_env(home: Path, cli: InstalledCli) -> dict[str, str]:
    """A reader's shell: the installed ``dbscaffold``, ``uv``, ``git`` and the system's tools."""
    env = {k: v for k, v in cli.env().items() if k != "DATABASE_URL"}
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        env[f"{variable}_NAME"] = "dbscaffold docs"
        env[f"{variable}_EMAIL"] = "docs@dbscaffold.invalid"
    env["HOME"] = str(home)
    return env


def release_mirror(destination: Path, env: dict[str, str]) -> Path:
    """A git clone of this repository, tagged as this version's release.

    The installed wheel's ``dbscaffold new`` records the release's repository for
    ``dbscaffold update``; the sessions point it at this clone, as the docs tell
    readers with a mirror to (``DBSCAFFOLD_TEMPLATE_SOURCE``).
    """
    mirror = snapshot_of_repository(destination)
    run(["git", "init", "--quiet"], cwd=mirror, env=env)
    run(["git", "add", "--all"], cwd=mirror, env=env)
    run(["git", "commit", "--quiet", "-m", "release"], cwd=mirror, env=env)
    run(["git", "tag", f"v{version('dbscaffold')}"], cwd=mirror, env=env)
    return mirror


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=REPO_ROOT,
    )

    options = (tmp_path / "site" / "options" / "index.html").read_text()
    assert "pgbouncer" in options
    assert "primary_key" in options
    add_model = (tmp_path / "site" / "add-model" / "index.html").read_text()
    assert "LargeBinary" in add_model
    assert "setnull" in add_model
    assert "no inverse relationship on the target" in add_model  # noinverse is not an index
    assert "many:Model" in add_model
    assert [mixin.help for mixin in MIXINS if mixin.help not in add_model] == []


def test_pages_with_sessions_are_the_ones_expected() -> None:
    assert {p.name for p in pages_with_sessions()} == {"getting-started.md", "updating.md"}


@pytest.mark.slow
@pytest.mark.parametrize("page", pages_with_sessions(), ids=lambda p: p.name)
def test_every_shell_session_runs_as_shown(
    page: Path, tmp_path: Path, dbscaffold: InstalledCli
) -> None:
    env = session_env(tmp_path, dbscaffold)
    env["DBSCAFFOLD_TEMPLATE_SOURCE"] = str(release_mirror(tmp_path / "mirror", env))
    workdir = tmp_path / "work"
    workdir.mkdir()
    for commands in console_sessions(page.read_text()):
        if any(DOCS_DATABASE_URL in c.line for c in commands):
            if not POSTGRES_URL:
                pytest.skip('no PostgreSQL: run `eval "$(.ci/databases start)"` first')
            database = f"docs_{uuid.uuid4().hex[:12]}"
            run(["psql", POSTGRES_URL, "-qc", f'CREATE DATABASE "{database}"'], cwd=tmp_path)
            server = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]
            url = f"postgresql+asyncpg://{server}/{database}"
            for command in commands:
                command.line = command.line.replace(DOCS_DATABASE_URL, url)
        run_session(commands, workdir, env)
