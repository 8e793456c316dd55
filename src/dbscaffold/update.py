"""``dbscaffold update``: Copier's update, then a check that no conflict is left behind.

Copier exits successfully even when a merge left conflict markers or ``.rej``
files, so this command looks for both and fails when it finds any.
"""

import re
import subprocess
import warnings
from collections.abc import Mapping
from pathlib import Path

from dbscaffold.errors import ConflictError, DbscaffoldError
from dbscaffold.project import ANSWERS_FILE, find_project_root, parse_answers

_MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DbscaffoldError(
            f"git {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}",
            hint="copier update needs the project to be a git repository",
        )
    return result.stdout


def check_can_update(root: Path) -> None:
    """Refuse what Copier would refuse, before anything is changed."""
    answers = parse_answers((root / ANSWERS_FILE).read_text())
    if not answers.get("_src_path") or not answers.get("_commit"):
        raise DbscaffoldError(
            f"{ANSWERS_FILE} does not record where the template came from (_src_path, _commit)",
            hint="only projects copied from a git checkout or a release can be updated",
        )
    if git(root, "rev-parse", "--show-toplevel").strip() != str(root.resolve()):
        raise DbscaffoldError(f"{root} is not the root of a git repository", hint="git init")
    dirty = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    if dirty:
        raise DbscaffoldError(
            f"the working tree has uncommitted changes ({len(dirty)} files, e.g. {dirty[0][3:]})",
            hint="commit or stash them first, so the update can be reviewed and undone",
        )


def leftover_conflicts(root: Path) -> list[str]:
    """Files the update left with conflict markers, and ``.rej`` files."""
    changed = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    found = []
    for line in changed:
        name = line[3:].split(" -> ")[-1].strip('"')
        path = root / name
        if name.endswith(".rej") or (path.is_file() and _has_markers(path)):
            found.append(name)
    return sorted(found)


def _has_markers(path: Path) -> bool:
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return False
    return "<<<<<<< " in text and ">>>>>>> " in text and bool(_MARKER.search(text))


def update_project(start: Path, *, to: str | None, answers: Mapping[str, str]) -> list[str]:
    """Update the project containing ``start``; return the files changed."""
    root = find_project_root(start.resolve())
    check_can_update(root)
    import copier  # slow to import; only this command needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            copier.run_update(
                str(root),
                vcs_ref=to,
                data=dict(answers),
                defaults=True,
                overwrite=True,
                skip_answered=True,
                conflict="inline",
                quiet=True,
            )
    except (ValueError, copier.errors.CopierError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DbscaffoldError(
            f"copier update failed: {message}", hint="the project was not changed"
        ) from None
    conflicts = leftover_conflicts(root)
    if conflicts:
        raise ConflictError(
            f"the update left conflicts in {len(conflicts)} file(s): {', '.join(conflicts)}",
            hint="resolve the <<<<<<< / >>>>>>> blocks (and .rej files), then commit",
        )
    return [line[3:] for line in git(root, "status", "--porcelain").splitlines()]
