"""Carrying out a command's plan of file writes: status lines, then every file or none,
then (``--migration``) the migration, which undoes the writes if it fails."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbscaffold.errors import ConflictError, DbscaffoldError
from dbscaffold.writer import FileWrite, Status, apply, classify, status_lines, undo, unified_diff


@dataclass(frozen=True)
class WriteOptions:
    """The options every command that writes into a project shares."""

    dry_run: bool = False
    force: bool = False
    skip: bool = False

    def check(self) -> None:
        if self.force and self.skip:
            raise DbscaffoldError("--force and --skip exclude each other", hint="choose one")


@dataclass(frozen=True)
class FieldsOptions:
    """``add-field`` and ``remove-field``: a model, its fields (arguments or names), what
    to write."""

    model: str
    fields: list[str]
    project: Path
    migration: bool = False
    write: WriteOptions = field(default_factory=WriteOptions)


def carry_out(
    root: Path,
    writes: Sequence[FileWrite],
    options: WriteOptions,
    echo: Callable[[str], None],
    *,
    migration: str | None = None,
) -> None:
    """Write ``writes`` under ``root``; with ``migration`` (a slug: ``create_book_table``),
    then autogenerate ``migrations/versions/<today>_<slug>.py``."""
    planned = classify(root, writes, force=options.force, skip=options.skip)
    lines = status_lines(planned)
    if migration is not None:
        lines.append(f"{'migrate':>10}  migrations/versions/<today>_{migration}.py")
    for line in lines:
        echo(line)
    conflicts = [p for p in planned if p.status is Status.CONFLICT]
    if conflicts:
        raise ConflictError(
            f"{conflicts[0].write.path} exists and differs; nothing was written",
            hint="pass --force to overwrite or --skip to keep existing files",
        )
    if options.dry_run:
        for item in planned:
            if item.status is Status.EDIT:
                echo(unified_diff(item.write).rstrip("\n"))
        return
    if migration is not None:
        from dbscaffold import migration as alembic

        alembic.check_ready(root)
    previous = {
        p.write.path: (root / p.write.path).read_text() for p in planned if p.status is Status.FORCE
    }
    apply(root, planned)
    if migration is not None:
        try:
            created = alembic.autogenerate(root, migration.replace("_", " "), migration)
        except BaseException:
            undo(root, planned, previous)
            raise
        echo(f"{'create':>10}  {created.relative_to(root)}")
