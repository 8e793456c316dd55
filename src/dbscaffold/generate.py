"""Creating a project from the template (the side-effecting edge of ``dbscaffold new``)."""

import os
import re
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
        if not (template_root() / ".git").exists():
            record_update_source(destination / ".copier-answers.yml", *release_source())
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


def release_source() -> tuple[str, str]:
    """Where ``copier update`` finds this release's template: repository and tag.

    A wheel carries the template without its git history, so the project records
    the repository the wheel was built from and the tag of this version.
    ``DBSCAFFOLD_TEMPLATE_SOURCE`` overrides the repository (a mirror or a clone).
    """
    from importlib.metadata import metadata

    from dbscaffold import __version__

    urls = metadata("dbscaffold").get_all("Project-URL") or []
    repository = next((u.split(", ", 1)[1] for u in urls if u.startswith("Repository")), "")
    source = os.environ.get("DBSCAFFOLD_TEMPLATE_SOURCE") or f"git+{repository}"
    return source, f"v{__version__}"


def record_update_source(answers_file: Path, source: str, commit: str) -> None:
    """Point ``_src_path`` and ``_commit`` of the answers file at ``source`` at ``commit``."""
    text = answers_file.read_text()
    text = re.sub(r"^_commit: .*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^_src_path: .*\n", "", text, flags=re.MULTILINE)
    header, _, body = text.partition("\n")
    answers_file.write_text(f"{header}\n_commit: {commit}\n_src_path: {source}\n{body}")
