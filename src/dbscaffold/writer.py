"""Applying a plan of file writes: every file or none, with Rails-style status lines."""

import difflib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dbscaffold.errors import DbscaffoldError


class Status(StrEnum):
    CREATE = "create"
    IDENTICAL = "identical"
    SKIP = "skip"
    CONFLICT = "conflict"
    FORCE = "force"
    EDIT = "edit"
    REMOVE = "remove"


@dataclass(frozen=True)
class FileWrite:
    path: Path  # relative to the project root
    #: The new content; ``None`` removes the file (then ``expected`` is its content now).
    content: str | None
    #: For an edit of a file the project owns: its content the edit was made from
    #: (``None`` for a file the plan writes whole).
    expected: str | None = None


@dataclass(frozen=True)
class PlannedWrite:
    write: FileWrite
    status: Status

    @property
    def changes_disk(self) -> bool:
        return self.status in {Status.CREATE, Status.FORCE, Status.EDIT, Status.REMOVE}


def classify(
    root: Path, writes: Sequence[FileWrite], *, force: bool, skip: bool
) -> list[PlannedWrite]:
    """What each write would do to the tree as it is now."""
    planned = []
    for write in writes:
        target = root / write.path
        if target.is_dir():
            raise DbscaffoldError(f"{write.path} is a directory", hint="move it out of the way")
        if write.expected is not None:
            _check_unchanged(root, write)
            if write.content is None:
                status = Status.REMOVE
            elif write.content == write.expected:
                status = Status.IDENTICAL
            elif skip:
                status = Status.SKIP
            else:
                status = Status.EDIT
        elif write.content is None:
            raise AssertionError(f"removing {write.path} needs its expected content")
        elif not target.exists():
            status = Status.CREATE
        elif target.read_text() == write.content:
            status = Status.IDENTICAL
        elif force:
            status = Status.FORCE
        elif skip:
            status = Status.SKIP
        else:
            status = Status.CONFLICT
        planned.append(PlannedWrite(write, status))
    return planned


def _check_unchanged(root: Path, write: FileWrite) -> None:
    """Refuse to edit a file that no longer holds what the edit was made from."""
    target = root / write.path
    try:
        current = read_text(target)
    except OSError as error:
        raise DbscaffoldError(f"could not read {write.path}: {error.strerror}") from None
    if current != write.expected:
        raise DbscaffoldError(
            f"{write.path} changed while it was being edited; nothing was written",
            hint="run the command again",
        )


def read_text(path: Path) -> str:
    """A file's text exactly as stored: line endings are not translated."""
    return path.read_bytes().decode("utf-8")


def status_lines(planned: Sequence[PlannedWrite]) -> list[str]:
    return [f"{p.status.value:>10}  {p.write.path}" for p in planned]


def unified_diff(write: FileWrite) -> str:
    """An edit as a unified diff, ``a/<path>`` to ``b/<path>`` as ``git diff`` shows it."""
    assert write.expected is not None
    lines = difflib.unified_diff(
        _diff_lines(write.expected),
        _diff_lines(write.content or ""),
        fromfile=f"a/{write.path.as_posix()}",
        tofile=f"b/{write.path.as_posix()}",
    )
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def apply(root: Path, planned: Sequence[PlannedWrite]) -> list[Path]:
    """Write every changed file, or none: on any error the tree is left as it was.

    Each file is first written to a temporary file beside it, then renamed over
    its target; a failure part-way renames back or removes what was done.
    """
    for item in planned:
        if item.changes_disk and item.write.expected is not None:
            _check_unchanged(root, item.write)
    staged: list[tuple[Path, Path]] = []
    try:
        for item in planned:
            if not item.changes_disk or item.write.content is None:
                continue
            target = root / item.write.path
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(item.write.content)
            staged.append((Path(temporary_name), target))
            os.chmod(temporary_name, _mode(target))
    except OSError as error:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise DbscaffoldError(f"could not write {error.filename}: {error.strerror}") from None

    done: list[tuple[Path, bytes | None]] = []
    removed = [root / p.write.path for p in planned if p.status is Status.REMOVE]
    try:
        for staged_file, target in staged:
            previous = target.read_bytes() if target.exists() else None
            os.replace(staged_file, target)
            done.append((target, previous))
        for target in removed:
            previous = target.read_bytes()
            target.unlink()
            done.append((target, previous))
    except OSError as error:
        for target, previous in reversed(done):
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise DbscaffoldError(f"could not write {error.filename}: {error.strerror}") from None
    return [target for _, target in staged] + removed


def _mode(target: Path) -> int:
    """The permissions a file written over ``target`` gets: its own, or the umask's default.

    (``mkstemp`` makes its file readable by its owner only.)
    """
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def undo(root: Path, planned: Sequence[PlannedWrite], previous: dict[Path, str]) -> None:
    """Put back what :func:`apply` changed (used when a later step fails).

    An edited file gets back the content its edit was made from.
    """
    for item in planned:
        if not item.changes_disk:
            continue
        target = root / item.write.path
        if item.write.expected is not None:  # an edit, or a removal
            target.write_bytes(item.write.expected.encode("utf-8"))
        elif item.write.path in previous:
            target.write_text(previous[item.write.path])
        else:
            target.unlink(missing_ok=True)
