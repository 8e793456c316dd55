"""``add-model --migration``: autogenerate through the project's own Alembic."""

import os
import shutil
import subprocess
from pathlib import Path

from dbscaffold.errors import DbscaffoldError

#: ``truncate_slug_length`` in the template's ``alembic.ini``: a longer slug is cut.
SLUG_LENGTH = 60


def fitting_slug(preferred: str, shorter: str) -> str:
    """``preferred`` if Alembic keeps it whole, else ``shorter`` (``add_5_fields_to_book``)."""
    return preferred if len(preferred) <= SLUG_LENGTH else shorter


def alembic_command(root: Path) -> list[str]:
    """The project's Alembic: its virtualenv's, else the one on PATH."""
    local = root / ".venv" / "bin" / "alembic"
    if local.is_file():
        return [str(local)]
    on_path = shutil.which("alembic")
    if on_path:
        return [on_path]
    raise DbscaffoldError(
        "alembic is not installed for this project", hint="run `uv sync` in the project first"
    )


def alembic_env(command: list[str]) -> dict[str, str]:
    """The environment to run ``command`` (an Alembic executable) in.

    Its own ``bin`` directory goes first on ``PATH``, as if its environment were
    activated: a project's post-write hooks may run its tools (ruff) by name.
    """
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    bin_dir = str(Path(command[0]).parent)
    env["PATH"] = os.pathsep.join([bin_dir, *filter(None, env.get("PATH", "").split(os.pathsep))])
    return env


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = alembic_command(root)
    return subprocess.run(
        [*command, *args],
        cwd=root,
        env=alembic_env(command),
        capture_output=True,
        text=True,
        check=False,
    )


def check_ready(root: Path) -> None:
    """Refuse unless the database is at head and the models match the migrations."""
    result = _run(root, "check")
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    if "not up to date" in output:
        raise DbscaffoldError(
            "the database is not at the latest migration, so autogenerate would be wrong",
            hint="run `alembic upgrade head` first (or leave out --migration)",
        )
    detected = [line for line in output.splitlines() if "upgrade operations detected" in line]
    if detected:
        raise DbscaffoldError(
            f"autogenerate already finds changes unrelated to this model: {detected[-1].strip()}",
            hint="generate a migration for those first: alembic revision --autogenerate -m '...'",
        )
    last = output.strip().splitlines()[-1] if output.strip() else "no output"
    raise DbscaffoldError(f"`alembic check` failed: {last}", hint="fix the project's Alembic setup")


def autogenerate(root: Path, message: str, slug: str) -> Path:
    """Write the migration for the new model; return its path."""
    versions = root / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    result = _run(root, "revision", "--autogenerate", "-m", message)
    created = sorted(set(versions.glob("*.py")) - before)
    if result.returncode != 0 or len(created) != 1:
        for path in created:
            path.unlink(missing_ok=True)
        output = (result.stdout + result.stderr).strip().splitlines()
        raise DbscaffoldError(
            f"alembic revision --autogenerate failed: {output[-1] if output else 'no output'}",
            hint="nothing was written; run the command yourself to see the full error",
        )
    if not created[0].name.endswith(f"_{slug}.py"):
        created[0].unlink()
        raise DbscaffoldError(
            f"the migration was not named *_{slug}.py (check file_template in alembic.ini)"
        )
    return created[0]
