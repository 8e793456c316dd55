"""The model-file editor's base edit (``add-mixin``): one mixin into one class's bases, its
import at the top, soft delete's unique columns as indexes over live rows; nothing else."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dbscaffold.edit_model import (
    AlreadyThereError,
    BaseEdit,
    ModelEditError,
    apply_base_edits,
    class_bases,
)
from dbscaffold.registry import MIXINS

MODULE = "src/shop/models/book.py"

#: As add-model writes a model without mixins, with two unique columns (one a foreign key).
GENERATED = '''"""The Book model."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db.base import Base
from shop.db.mixins import BigIntKey, DualIdMixin

if TYPE_CHECKING:
    from shop.models.author import Author


class Book(DualIdMixin, Base):
    __tablename__ = "book"

    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    author_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("author.id"), unique=True)
    author: Mapped["Author"] = relationship(back_populates="book", lazy="raise")
'''

#: The same model as add-model writes it with soft delete.
SOFT_DELETED = '''"""The Book model."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db.base import Base
from shop.db.mixins import BigIntKey, DualIdMixin, SoftDeleteMixin, unique_while_live

if TYPE_CHECKING:
    from shop.models.author import Author


class Book(DualIdMixin, SoftDeleteMixin, Base):
    __tablename__ = "book"
    __table_args__ = (
        unique_while_live("book_isbn_key", "isbn"),
        unique_while_live("book_author_id_key", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str] = mapped_column(String(13))
    author_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("author.id"), index=True)
    author: Mapped["Author"] = relationship(back_populates="book", lazy="raise")
'''

ORDER = [mixin.class_name for mixin in MIXINS]


def edit(option: str, *, table: str | None = "book", class_name: str = "Book") -> BaseEdit:
    """The edit ``add-mixin`` makes for the mixin ``option``."""
    options = [mixin.option for mixin in MIXINS]
    later = MIXINS[options.index(option) + 1 :]
    mixin = MIXINS[options.index(option)]
    return BaseEdit(
        module=MODULE,
        class_name=class_name,
        mixin=mixin.class_name,
        import_from="shop.db.mixins",
        before=(*(m.class_name for m in later), "Base"),
        live_unique_table=table if option == "soft_delete" else None,
    )


def test_soft_delete_writes_what_add_model_writes_for_a_soft_deleted_model() -> None:
    assert apply_base_edits(GENERATED, [edit("soft_delete")]) == SOFT_DELETED


def test_a_mixin_without_unique_columns_changes_the_class_line_and_the_import_only() -> None:
    result = apply_base_edits(GENERATED, [edit("timestamps")])

    assert result == GENERATED.replace(
        "import BigIntKey, DualIdMixin\n", "import BigIntKey, DualIdMixin, TimestampMixin\n"
    ).replace("class Book(DualIdMixin, Base):", "class Book(DualIdMixin, TimestampMixin, Base):")


@pytest.mark.parametrize(
    "options",
    [
        ["versioning", "soft_delete", "timestamps"],
        ["soft_delete", "versioning", "timestamps"],
        ["timestamps", "versioning", "soft_delete"],
    ],
)
def test_mixins_go_into_the_bases_in_the_registry_s_order(options: list[str]) -> None:
    source = GENERATED
    for option in options:
        source = apply_base_edits(source, [edit(option)])

    assert class_bases(source, "Book") == ["DualIdMixin", *ORDER, "Base"]
    assert "from shop.db.mixins import (\n    BigIntKey,\n    DualIdMixin,\n" in source
    ruff_clean(source)


def test_a_class_that_has_the_mixin_is_refused_as_already_having_it() -> None:
    once = apply_base_edits(GENERATED, [edit("versioning")])

    with pytest.raises(AlreadyThereError, match=r"^Book already has VersionMixin$"):
        apply_base_edits(once, [edit("versioning")])
    with pytest.raises(AlreadyThereError, match="already has SoftDeleteMixin"):
        apply_base_edits(SOFT_DELETED, [edit("soft_delete")])


#: A module the team has worked on: comments and code around the class, and in it.
HAND_EDITED = '''"""The Book model."""

# Owned by the catalogue team;   keep   this   comment.
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db.base import Base
from shop.db.mixins import BigIntKey, DualIdMixin

if TYPE_CHECKING:
    from shop.models.author import Author

LEGACY = ("a",  "b")  # kept  for imports


# The book, as the shop sells it.
class Book(DualIdMixin, Base):
    """A book."""

    __tablename__ = "book"

    # the title as printed
    title: Mapped[str] = mapped_column(String(200))  # max 200
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    author_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("author.id"))
    author: Mapped["Author"] = relationship(back_populates="book", lazy="raise")

    def label(self) -> str:
        return  self.title


class Other:
    pass
'''


def test_everything_else_in_the_module_is_kept_byte_for_byte() -> None:
    result = apply_base_edits(HAND_EDITED, [edit("soft_delete")])

    expected = (
        HAND_EDITED.replace(
            "import BigIntKey, DualIdMixin\n",
            "import BigIntKey, DualIdMixin, SoftDeleteMixin, unique_while_live\n",
        )
        .replace(
            "class Book(DualIdMixin, Base):", "class Book(DualIdMixin, SoftDeleteMixin, Base):"
        )
        .replace(
            '    __tablename__ = "book"\n',
            '    __tablename__ = "book"\n'
            '    __table_args__ = (unique_while_live("book_isbn_key", "isbn"),)\n',
        )
        .replace("String(13), unique=True)", "String(13))")
    )
    assert result == expected


def test_windows_line_endings_stay_windows_line_endings() -> None:
    source = GENERATED.replace("\n", "\r\n")
    assert apply_base_edits(source, [edit("soft_delete")]) == SOFT_DELETED.replace("\n", "\r\n")


def test_a_column_named_otherwise_than_its_attribute_is_indexed_by_its_column_name() -> None:
    source = GENERATED.replace(
        "mapped_column(String(13), unique=True)",
        'mapped_column("isbn_13", String(13), unique=True)',
    )
    result = apply_base_edits(source, [edit("soft_delete")])
    assert 'unique_while_live("book_isbn_13_key", "isbn_13")' in result


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        # a __table_args__ of its own beside unique columns: not merged into
        (
            GENERATED.replace(
                '    __tablename__ = "book"\n',
                '    __tablename__ = "book"\n    __table_args__ = ({"comment": "books"},)\n',
            ),
            "__table_args__ of its own",
        ),
        # unique= something else than True
        (
            GENERATED.replace("String(13), unique=True", "String(13), unique=UNIQUE"),
            "not `unique=True`",
        ),
        # a comment inside a unique column's statement
        (
            GENERATED.replace(
                "String(13), unique=True)",
                "\n        String(13),  # ISBN-13\n        unique=True,\n    )",
            ),
            "holds a comment",
        ),
        # a class line the edit cannot rewrite: keywords, comments, no Base
        (
            GENERATED.replace("(DualIdMixin, Base):", "(DualIdMixin, Base, metaclass=M):"),
            "not a plain",
        ),
        (
            GENERATED.replace("(DualIdMixin, Base):", "(  # ours\n    DualIdMixin, Base\n):"),
            "not a plain",
        ),
        (GENERATED.replace("(DualIdMixin, Base):", "(DualIdMixin, Model):"), "from Base"),
        # the class defined twice, or not at all
        (GENERATED + "\n\nclass Book(Base):\n    pass\n", "no single top-level"),
        (GENERATED.replace("class Book(", "class Novel("), "no single top-level"),
        ("class Book(Base:\n", "does not parse"),
    ],
)
def test_a_class_that_cannot_be_edited_safely_is_refused(source: str, pattern: str) -> None:
    with pytest.raises(ModelEditError, match=pattern):
        apply_base_edits(source, [edit("soft_delete")])


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        (
            GENERATED.replace(
                "from shop.db.mixins import",
                "from shop.legacy import VersionMixin\nfrom shop.db.mixins import",
            ),
            r"^cannot add VersionMixin to Book: .* already binds 'VersionMixin' to something else",
        ),
    ],
)
def test_an_import_that_cannot_be_added_safely_is_refused(source: str, pattern: str) -> None:
    with pytest.raises(ModelEditError, match=pattern) as refused:
        apply_base_edits(source, [edit("versioning")])
    assert "noinverse" not in refused.value.hint


def test_an_exploded_class_line_stays_exploded() -> None:
    source = GENERATED.replace("(DualIdMixin, Base):", "(\n    DualIdMixin,\n    Base,\n):")
    result = apply_base_edits(source, [edit("versioning")])
    assert "class Book(\n    DualIdMixin,\n    VersionMixin,\n    Base,\n):\n" in result
    ruff_clean(result)


def ruff_clean(source: str) -> None:
    """``source`` passes ruff's import sorting and its formatter unchanged."""
    directory = Path(tempfile.mkdtemp(prefix="dbscaffold-edit-bases-"))
    (directory / "pyproject.toml").write_text(
        '[tool.ruff]\nline-length = 100\ntarget-version = "py311"\n\n'
        '[tool.ruff.lint.isort]\nknown-first-party = ["shop"]\n'
    )
    (directory / "book.py").write_text(source)
    try:
        for command in (
            ["check", "--quiet", "--select", "I,F,E,W", "."],
            ["format", "--quiet", "--check", "."],
        ):
            checked = subprocess.run(
                [sys.executable, "-m", "ruff", *command],
                cwd=directory,
                capture_output=True,
                text=True,
                check=False,
            )
            assert checked.returncode == 0, checked.stdout + checked.stderr + source
    finally:
        shutil.rmtree(directory)
