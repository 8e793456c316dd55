"""Where the Copier template is: bundled in the wheel, or this source checkout."""

from pathlib import Path

from dbscaffold.errors import DbscaffoldError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """The directory holding ``copier.yml``.

    A built wheel carries the template in ``dbscaffold/_template``; an editable
    install runs from the repository, whose root holds it.
    """
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent.parent):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise DbscaffoldError(
        "the dbscaffold template is missing from this installation",
        hint="reinstall dbscaffold (pip install --force-reinstall dbscaffold)",
    )
