"""Running generated projects' own tools, in a shared environment."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SharedEnvironment:
    """One virtual environment holding every dependency generated projects declare.

    Generated projects whose requirements agree run their tools from it, with the
    project's ``src`` on ``PYTHONPATH``, instead of each installing its own copy.
    """

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self, project: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "DATABASE_URL"}}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(project / "src")
        env.update(extra)
        return env

    def run(self, project: Path, *command: str, **extra_env: str) -> str:
        """Run ``command`` in ``project``; fail the test with its output if it fails."""
        return run(command, cwd=project, env=self.env(project, **extra_env))


def run(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` failed in {cwd} (exit {completed.returncode}):\n{output}"
        )
    return output


def declared_requirements(pyproject: Path) -> set[str]:
    """The runtime and development requirements a generated ``pyproject.toml`` declares."""
    data = tomllib.loads(pyproject.read_text())
    requirements = set(data["project"]["dependencies"])
    for group in data.get("dependency-groups", {}).values():
        requirements.update(group)
    return requirements


def shared_environment(cache_dir: Path, requirements: Iterable[str]) -> SharedEnvironment:
    """Create (once, even across xdist workers) the environment for ``requirements``."""
    wanted = sorted(set(requirements))
    key = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:16]
    root = cache_dir / f"generated-env-{key}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / f"{root.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".complete").exists():
            python = f"{sys.version_info.major}.{sys.version_info.minor}"
            run(["uv", "venv", "--quiet", "--python", python, str(root)], cwd=cache_dir)
            python_path = str(root / "bin" / "python")
            install = ["uv", "pip", "install", "--quiet", "--python", python_path]
            run([*install, *wanted], cwd=cache_dir)
            (root / ".complete").touch()
    return SharedEnvironment(root)


def tree_bytes(root: Path, ignore: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file under ``root`` (by relative path) and its content."""
    ignored = set(ignore)
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not ignored & set(path.relative_to(root).parts)
    }


def snapshot_of_repository(destination: Path) -> Path:
    """Copy this repository's files (tracked, or untracked and not ignored), without git."""
    listed = run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO_ROOT
    )
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination
