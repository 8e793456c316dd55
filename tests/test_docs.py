"""The documentation builds strictly, and every shell session in it runs as shown."""

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, run

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


def session_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "DATABASE_URL"}}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for variable in ("GIT_AUTHOR", "GIT_COMMITTER"):
        env[f"{variable}_NAME"] = "dbscaffold docs"
        env[f"{variable}_EMAIL"] = "docs@dbscaffold.invalid"
    env["HOME"] = str(home)
    return env


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


def test_pages_with_sessions_are_the_ones_expected() -> None:
    assert {p.name for p in pages_with_sessions()} == {"getting-started.md", "updating.md"}


@pytest.mark.slow
@pytest.mark.parametrize("page", pages_with_sessions(), ids=lambda p: p.name)
def test_every_shell_session_runs_as_shown(page: Path, tmp_path: Path) -> None:
    env = session_env(tmp_path)
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
