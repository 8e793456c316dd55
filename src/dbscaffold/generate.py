"""Creating a project from the template (the side-effecting edge of ``dbscaffold new``)."""

import shutil
import warnings
from collections.abc import Mapping
from pathlib import Path

from dbscaffold.errors import DbscaffoldError
from dbscaffold.template_source import template_root


def check_destination(destination: Path) -> None:
    """Refuse a destination that is a file or a non-empty directory."""
    if destination.is_file():
        raise DbscaffoldError(
            f"{destination} is a file", hint="choose a new directory for the project"
        )
    if destination.is_dir() and any(destination.iterdir()):
        raise DbscaffoldError(
            f"{destination} is not empty",
            hint="choose a new directory, or use `copier update` inside an existing project",
        )


def create_project(destination: Path, answers: Mapping[str, str], *, use_defaults: bool) -> Path:
    """Render the template into ``destination``; on any error nothing is left behind."""
    check_destination(destination)
    import copier  # slow to import, and only this command needs it

    created = not destination.exists()
    try:
        with warnings.catch_warnings():
            # A source checkout with uncommitted changes is copied as it is, on purpose.
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            copier.run_copy(
                str(template_root()),
                str(destination),
                data=dict(answers),
                defaults=use_defaults,
                vcs_ref="HEAD",
                quiet=True,
            )
    except (ValueError, copier.errors.CopierError) as error:
        _discard(destination, created)
        raise DbscaffoldError(
            str(error).strip().splitlines()[0],
            hint="see `copier.yml` for the questions and their allowed values",
        ) from None
    except BaseException:
        _discard(destination, created)
        raise
    return destination


def _discard(destination: Path, created: bool) -> None:
    """Remove what a failed copy left, but never a directory that existed before."""
    if created:
        shutil.rmtree(destination, ignore_errors=True)
    elif destination.is_dir():
        for child in destination.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
