"""The benchmark environment, the generated projects, and a PostgreSQL database to use.

The data-layer measurements run in their own virtual environment (built with uv,
cached by the hash of its requirements): the generated project's dependencies plus
advanced-alchemy, asyncpg, matplotlib and pyinstrument, none of which belong in
this repository's own environment.
"""

import fcntl
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "benchmarks"

#: Besides what a generated project declares (SQLAlchemy, aiosqlite, Alembic, pytest, ...).
EXTRA_REQUIREMENTS = ("advanced-alchemy", "asyncpg", "matplotlib", "pyinstrument")

#: Where CI's and `.ci/databases start`'s PostgreSQL answers.
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:54329/postgres"

#: The two model shapes: every mixin on (the defaults), and none.
SHAPES: Mapping[str, Sequence[str]] = {
    "full": (),
    "plain": ("primary_key=int", "timestamps=false", "soft_delete=false", "versioning=false"),
}


class BenchmarkError(RuntimeError):
    """A step of the harness failed; the message carries the command's output."""


def run(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; raise :class:`BenchmarkError` with its output if it fails."""
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        msg = f"`{' '.join(command)}` failed in {cwd} (exit {completed.returncode}):\n{output}"
        raise BenchmarkError(msg)
    return completed


@dataclass(frozen=True)
class BenchEnv:
    """A virtual environment; generated projects run in it with their ``src`` on the path."""

    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def env(self, project: Path | None = None, **extra: str) -> dict[str, str]:
        hidden = {"VIRTUAL_ENV", "DATABASE_URL", "PYTHONPATH"}
        env = {key: value for key, value in os.environ.items() if key not in hidden}
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        if project is not None:
            env["PYTHONPATH"] = str(project / "src")
        env.update(extra)
        return env

    def run(
        self, *command: str, cwd: Path, project: Path | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return run(command, cwd=cwd, env=self.env(project, **extra))

    def script(
        self, name: str, *args: str, project: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``benchmarks/<name>`` with this environment's Python."""
        return self.run(
            str(self.python), str(BENCH_DIR / name), *args, cwd=BENCH_DIR, project=project
        )


def default_cache_dir() -> Path:
    """``$DBSCAFFOLD_BENCH_CACHE``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, + our folder."""
    explicit = os.environ.get("DBSCAFFOLD_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dbscaffold-benchmarks"


def ensure_environment(cache_dir: Path, requirements: Iterable[str]) -> BenchEnv:
    """Create (once per set of requirements, safely across processes) the environment."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    wanted = sorted({*requirements, *EXTRA_REQUIREMENTS})
    key = hashlib.sha256("\n".join([python, *wanted]).encode()).hexdigest()[:16]
    root = cache_dir / f"env-{key}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / f"{root.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            run(["uv", "venv", "--quiet", "--clear", "--python", python, str(root)], cwd=cache_dir)
            install = ["uv", "pip", "install", "--quiet", "--python", str(root / "bin" / "python")]
            run([*install, *wanted], cwd=cache_dir)
            (root / ".complete").touch()
    return BenchEnv(root)


def dbscaffold_command(*args: str) -> list[str]:
    """This checkout's CLI, as a fresh process."""
    return [sys.executable, "-m", "dbscaffold", *args]


def generate_project(destination: Path, answers: Sequence[str] = ()) -> Path:
    """``dbscaffold new DESTINATION --defaults`` with ``--data`` for each answer."""
    data = [arg for answer in answers for arg in ("--data", answer)]
    run(dbscaffold_command("new", str(destination), "--defaults", *data), cwd=REPO_ROOT)
    return destination


def declared_requirements(project: Path) -> set[str]:
    """The runtime and development requirements of a generated project."""
    data = tomllib.loads((project / "pyproject.toml").read_text())
    requirements = set(data["project"]["dependencies"])
    for group in data.get("dependency-groups", {}).values():
        requirements.update(group)
    return requirements


# -- PostgreSQL -------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """A scratch database the harness created on a reachable server (and drops after)."""

    admin_url: str
    name: str
    server_version: str

    @property
    def url(self) -> str:
        head, _, _ = self.admin_url.rpartition("/")
        return f"{head}/{self.name}"


def postgres_url(explicit: str | None) -> str:
    """The server to use: ``--postgres-url``, CI's variable, or `.ci/databases`' default."""
    return explicit or os.environ.get("DBSCAFFOLD_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def open_postgres(env: BenchEnv, admin_url: str) -> tuple[Postgres | None, str]:
    """Create ``bench_<random>`` on the server; ``(None, why)`` when it cannot be reached."""
    name = f"bench_{secrets.token_hex(4)}"
    completed = subprocess.run(
        [str(env.python), str(BENCH_DIR / "datalayer.py"), "probe", "--url", admin_url],
        cwd=BENCH_DIR,
        env=env.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return None, f"no PostgreSQL server answered at {redacted(admin_url)}: {outcome(completed)}"
    env.script("datalayer.py", "create-db", "--url", admin_url, "--name", name)
    version = json.loads(completed.stdout)["server_version"]
    return Postgres(admin_url, name, version), ""


def close_postgres(env: BenchEnv, postgres: Postgres) -> None:
    env.script("datalayer.py", "drop-db", "--url", postgres.admin_url, "--name", postgres.name)


def outcome(completed: subprocess.CompletedProcess[str]) -> str:
    try:
        return str(json.loads(completed.stdout)["error"])
    except (ValueError, KeyError):
        lines = (completed.stdout + completed.stderr).strip().splitlines()
        return lines[-1] if lines else f"exit {completed.returncode}"


def redacted(url: str) -> str:
    """``url`` without a password."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
