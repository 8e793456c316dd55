"""Applying a plan of file writes: every file or none, with Rails-style status lines."""

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


@dataclass(frozen=True)
class FileWrite:
    path: Path  # relative to the project root
    content: str


@dataclass(frozen=True)
class PlannedWrite:
    write: FileWrite
    status: Status

    @property
    def changes_disk(self) -> bool:
        return self.status in {Status.CREATE, Status.FORCE}


def classify(
    root: Path, writes: Sequence[FileWrite], *, force: bool, skip: bool
) -> list[PlannedWrite]:
    """What each write would do to the tree as it is now."""
    planned = []
    for write in writes:
        target = root / write.path
        if target.is_dir():
            raise DbscaffoldError(f"{write.path} is a directory", hint="move it out of the way")
        if not target.exists():
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


def status_lines(planned: Sequence[PlannedWrite]) -> list[str]:
    return [f"{p.status.value:>10}  {p.write.path}" for p in planned]


def apply(root: Path, planned: Sequence[PlannedWrite]) -> list[Path]:
    """Write every changed file, or none: on any error the tree is left as it was.

    Each file is first written to a temporary file beside it, then renamed over
    its target; a failure part-way renames back or removes what was done.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for item in planned:
            if not item.changes_disk:
                continue
            target = root / item.write.path
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "w") as file:
                file.write(item.write.content)
            staged.append((Path(temporary_name), target))
    except OSError as error:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise DbscaffoldError(f"could not write {error.filename}: {error.strerror}") from None

    done: list[tuple[Path, bytes | None]] = []
    try:
        for staged_file, target in staged:
            previous = target.read_bytes() if target.exists() else None
            os.replace(staged_file, target)
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
    return [target for _, target in staged]


def undo(root: Path, planned: Sequence[PlannedWrite], previous: dict[Path, str]) -> None:
    """Put back what :func:`apply` changed (used when a later step fails)."""
    for item in planned:
        if not item.changes_disk:
            continue
        target = root / item.write.path
        if item.write.path in previous:
            target.write_text(previous[item.write.path])
        else:
            target.unlink(missing_ok=True)
