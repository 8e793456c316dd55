"""The model-file editor: one attribute into one class, its imports at the top, nothing else."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.edit_model import ClassEdit, ModelEditError, apply_edits
from dbscaffold.errors import DbscaffoldError
from dbscaffold.imports import Imports

MODULE = "src/shop/models/author.py"

BOOKS = (
    '    books: Mapped[list["Book"]] = relationship(\n'
    '        back_populates="author", lazy="raise", cascade="all", passive_deletes=True\n'
    "    )"
)
BOOKS_RESTRICT = (
    '    books: Mapped[list["Book"]] = relationship(\n'
    '        back_populates="author", lazy="raise", passive_deletes="all"\n'
    "    )"
)

GENERATED = '''"""The Author model."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db.base import Base
from shop.db.mixins import (
    DualIdMixin,
    SoftDeleteMixin,
    TimestampMixin,
    VersionMixin,
)


class Author(DualIdMixin, TimestampMixin, SoftDeleteMixin, VersionMixin, Base):
    __tablename__ = "author"

    name: Mapped[str] = mapped_column(String(100))
'''

EDITED = '''"""The Author model."""

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.db.base import Base
from shop.db.mixins import (
    DualIdMixin,
    SoftDeleteMixin,
    TimestampMixin,
    VersionMixin,
)

if TYPE_CHECKING:
    from shop.models.book import Book


class Author(DualIdMixin, TimestampMixin, SoftDeleteMixin, VersionMixin, Base):
    __tablename__ = "author"

    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(
        back_populates="author", lazy="raise", cascade="all", passive_deletes=True
    )
'''


def edit(
    statement: str = BOOKS,
    *,
    attribute: str = "books",
    class_name: str = "Author",
    target: tuple[str, str] = ("shop.models.book", "Book"),
    back_populates: str = "author",
) -> ClassEdit:
    imports = Imports()
    imports.add("third", "sqlalchemy.orm", "relationship")
    type_checking = Imports()
    type_checking.add("first", *target)
    return ClassEdit(
        module=MODULE,
        class_name=class_name,
        attribute=attribute,
        statement=statement,
        back_populates=back_populates,
        imports=imports,
        type_checking=type_checking,
    )


def test_a_generated_module_gets_the_inverse_and_its_imports() -> None:
    assert apply_edits(GENERATED, [edit()], replace=False) == EDITED


def test_applying_an_edit_twice_is_applying_it_once() -> None:
    assert apply_edits(EDITED, [edit()], replace=False) == EDITED
    assert apply_edits(EDITED, [edit()], replace=True) == EDITED


def test_two_edits_to_one_class_go_in_their_order() -> None:
    reviews = edit(
        '    reviews: Mapped[list["Review"]] = relationship(back_populates="author", lazy="raise")',
        attribute="reviews",
        target=("shop.models.review", "Review"),
    )
    result = apply_edits(GENERATED, [edit(), reviews], replace=False)
    assert result.endswith(BOOKS + "\n" + reviews.statement + "\n")
    assert (
        "if TYPE_CHECKING:\n"
        "    from shop.models.book import Book\n"
        "    from shop.models.review import Review\n"
    ) in result


HAND_WRITTEN = '''#!/usr/bin/env python
"""Authors, as the team keeps them.

Long docstring.
"""

from __future__ import annotations

import logging
from typing import Any   # odd spacing, kept

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shop.db.base import Base
from shop.db.mixins import (
    DualIdMixin,
    TimestampMixin,
)

__all__ = ["Author", "helper"]

log = logging.getLogger(__name__)


def helper( x ):   # not ruff-formatted on purpose
    return x


# The author of many things.
@some_decorator(
    1,
)
class Author(DualIdMixin, TimestampMixin, Base):
    """An author."""

    __tablename__ = "author"

    # The name, as printed.
    name: Mapped[str] = mapped_column(String(100))  # trailing comment
    nickname: Mapped[str | None] = mapped_column(String(100))

    def display( self ) -> str:
        # a method comment
        return self.name

    @property
    def shout(self) -> str:
        return self.name.upper()


class Other(Base):
    __tablename__ = "other"
    name: Mapped[str] = mapped_column(String(100))


if __name__ == "__main__":
    print(  "code after the class" )
'''


def test_everything_outside_the_class_body_and_the_imports_is_kept_byte_for_byte() -> None:
    result = apply_edits(HAND_WRITTEN, [edit()], replace=False)
    expected = (
        HAND_WRITTEN.replace(
            "from typing import Any   # odd spacing, kept",
            "from typing import TYPE_CHECKING, Any   # odd spacing, kept",
        )
        .replace(
            "from sqlalchemy.orm import Mapped, mapped_column\n",
            "from sqlalchemy.orm import Mapped, mapped_column, relationship\n",
        )
        .replace(
            "    TimestampMixin,\n)\n",
            "    TimestampMixin,\n)\n\nif TYPE_CHECKING:\n    from shop.models.book import Book\n",
        )
        .replace(
            "    nickname: Mapped[str | None] = mapped_column(String(100))\n",
            "    nickname: Mapped[str | None] = mapped_column(String(100))\n"
            # (from __future__ import annotations: the annotation is not quoted)
            + BOOKS.replace('"Book"', "Book")
            + "\n",
        )
    )
    assert result == expected


def test_without_columns_the_attribute_ends_the_body_after_a_blank_line() -> None:
    source = GENERATED.replace("\n    name: Mapped[str] = mapped_column(String(100))\n", "")
    result = apply_edits(source, [edit()], replace=False)
    assert result.endswith('    __tablename__ = "author"\n\n' + BOOKS + "\n")


def test_a_name_already_imported_is_not_imported_again() -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from sqlalchemy.orm import Mapped, mapped_column, relationship",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert result.count("relationship,") + result.count("relationship\n") == 1
    assert "from sqlalchemy.orm import Mapped, mapped_column, relationship\n" in result


def test_a_merged_import_too_long_for_a_line_is_exploded() -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, WriteOnlyMapped, "
        "mapped_column",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert (
        "from sqlalchemy.orm import (\n"
        "    DeclarativeBase,\n"
        "    Mapped,\n"
        "    MappedAsDataclass,\n"
        "    WriteOnlyMapped,\n"
        "    mapped_column,\n"
        "    relationship,\n"
        ")\n"
    ) in result


def test_an_exploded_import_stays_exploded() -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from sqlalchemy.orm import (\n    Mapped,\n    mapped_column,\n)",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert (
        "from sqlalchemy.orm import (\n    Mapped,\n    mapped_column,\n    relationship,\n)\n"
        in (result)
    )


@pytest.mark.parametrize(
    "other",
    [
        "import sqlalchemy.orm as orm",
        "from sqlalchemy import orm as sa_orm",
        "from sqlalchemy.orm import relationship as rel",
    ],
)
def test_the_module_imported_otherwise_still_gets_a_from_import(other: str) -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column\n",
        f"from sqlalchemy.orm import Mapped, mapped_column\n{other}\n",
    )
    source = _isort(source)
    result = apply_edits(source, [edit()], replace=False)
    assert "from sqlalchemy.orm import Mapped, mapped_column, relationship\n" in result
    assert other in result
    assert _isort(result) == result


def test_a_module_without_the_from_import_gets_one_in_its_section() -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column\n",
        "from sqlalchemy.orm import Mapped as M\n",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert (
        "from sqlalchemy import String\n"
        "from sqlalchemy.orm import relationship\n"
        "from sqlalchemy.orm import Mapped as M\n"
    ) in result


def test_a_new_section_goes_between_its_neighbours() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\nfrom sqlalchemy.orm import Mapped, mapped_column\n\n", ""
    )
    result = apply_edits(source, [edit()], replace=False)
    assert result.startswith(
        '"""The Author model."""\n\n'
        "from typing import TYPE_CHECKING\n\n"
        "from sqlalchemy.orm import relationship\n\n"
        "from shop.db.base import Base\n"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A block with other imports: merged in, sorted.
        (
            "if TYPE_CHECKING:\n    from shop.models.award import Award\n    from shop.models.zine"
            " import Zine\n",
            "if TYPE_CHECKING:\n    from shop.models.award import Award\n"
            "    from shop.models.book import Book\n    from shop.models.zine import Zine\n",
        ),
        # A block importing another name of the same module.
        (
            "if TYPE_CHECKING:\n    from shop.models.book import Chapter\n",
            "if TYPE_CHECKING:\n    from shop.models.book import Book, Chapter\n",
        ),
        # A block with a third-party import: the first-party one is its own section.
        (
            "if TYPE_CHECKING:\n    from sqlalchemy.sql import Select\n",
            "if TYPE_CHECKING:\n    from sqlalchemy.sql import Select\n\n"
            "    from shop.models.book import Book\n",
        ),
    ],
)
def test_an_existing_type_checking_block_is_merged_into(before: str, after: str) -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n",
        "from typing import TYPE_CHECKING\n\nfrom sqlalchemy import String\n",
    ).replace("\n\nclass Author", f"\n{before}\n\nclass Author")
    result = apply_edits(source, [edit()], replace=False)
    assert f"\n{after}\n\nclass Author" in result
    assert result.count("TYPE_CHECKING") == 2


def test_type_checking_imported_with_other_names_is_used_as_it_is() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n",
        "from typing import TYPE_CHECKING, Any\n\nfrom sqlalchemy import String\n",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert "from typing import TYPE_CHECKING, Any\n\n" in result
    assert result.count("TYPE_CHECKING") == 2


def test_a_typing_module_import_gets_the_name_added() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n",
        "from typing import Any\n\nfrom sqlalchemy import String\n",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert "from typing import TYPE_CHECKING, Any\n\n" in result


def test_a_target_imported_at_run_time_needs_no_type_checking_block() -> None:
    source = GENERATED.replace(
        "from shop.db.base import Base\n",
        "from shop.db.base import Base\nfrom shop.models.book import Book\n",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert "TYPE_CHECKING" not in result


def test_a_differing_inverse_is_refused_unless_replacing() -> None:
    source = apply_edits(GENERATED, [edit(BOOKS_RESTRICT)], replace=False)
    with pytest.raises(ModelEditError, match="differs"):
        apply_edits(source, [edit()], replace=False)
    assert apply_edits(source, [edit()], replace=True) == EDITED


def test_a_replaced_inverse_keeps_the_comment_above_it() -> None:
    source = apply_edits(GENERATED, [edit(BOOKS_RESTRICT)], replace=False).replace(
        "    books:", "    # Ours.\n    books:"
    )
    result = apply_edits(source, [edit()], replace=True)
    assert result == EDITED.replace("    books:", "    # Ours.\n    books:")


@pytest.mark.parametrize(
    "taken",
    [
        "    books: Mapped[int] = mapped_column()",
        "    books = 3",
        '    books: Mapped[list["Book"]] = relationship(back_populates="writer")',
        "    def books(self) -> int:\n        return 1",
        "    @property\n    def books(self) -> int:\n        return 1",
        "    class books:\n        pass",
    ],
)
@pytest.mark.parametrize("replace", [False, True])
def test_anything_else_of_that_name_is_refused(taken: str, replace: bool) -> None:
    source = GENERATED + taken + "\n"
    with pytest.raises(ModelEditError, match=r"Author\.books in .* is already there") as caught:
        apply_edits(source, [edit()], replace=replace)
    assert isinstance(caught.value, DbscaffoldError)
    assert "\n" not in caught.value.message
    assert ":noinverse" in caught.value.hint
    assert "Target.name" in caught.value.hint


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(GENERATED.replace("class Author(", "class Writer("), id="missing"),
        pytest.param(
            GENERATED.replace("class Author(", "if True:\n    class Author(")
            .replace("\n    __tablename__", "\n        __tablename__")
            .replace("\n    name:", "\n        name:"),
            id="inside-an-if",
        ),
        pytest.param(GENERATED + '\nAuthor = type("Author", (Base,), {})\n', id="rebound"),
        pytest.param(
            GENERATED.split("\n\nclass")[0] + '\n\nAuthor = make_model("author")\n',
            id="made-by-a-call",
        ),
        pytest.param(GENERATED + "\n\nclass Author(Base):\n    pass\n", id="defined-twice"),
        pytest.param(
            GENERATED.split("\n\nclass")[0] + "\n\nclass Author(Base): ...\n", id="one-line-body"
        ),
        pytest.param(GENERATED + "\n    def broken(:\n", id="does-not-parse"),
    ],
)
def test_a_class_that_cannot_be_edited_safely_is_refused(source: str) -> None:
    with pytest.raises(ModelEditError) as caught:
        apply_edits(source, [edit()], replace=True)
    assert "\n" not in caught.value.message
    assert MODULE in caught.value.message
    assert caught.value.hint


def test_a_name_bound_to_something_else_is_refused() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n",
        "from sqlalchemy import String\nfrom mylib import relationship\n",
    )
    with pytest.raises(ModelEditError, match="relationship"):
        apply_edits(source, [edit()], replace=False)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "from sqlalchemy.orm import (\n    Mapped,  # the annotation\n    mapped_column,\n)",
            "from sqlalchemy.orm import (\n    Mapped,  # the annotation\n    mapped_column,\n"
            "    relationship,\n)",
        ),
        (
            "from sqlalchemy.orm import (  # ORM\n    # first\n    Mapped,\n    # last\n"
            "    mapped_column,  # columns\n    # closing\n)",
            "from sqlalchemy.orm import (  # ORM\n    # first\n    Mapped,\n    # last\n"
            "    mapped_column,  # columns\n    relationship,\n    # closing\n)",
        ),
        (
            "from sqlalchemy.orm import (\n    # mapped\n    Mapped,  # a\n    # the rest\n"
            "    mapped_column,\n    # sessions\n    sessionmaker,  # b\n)",
            "from sqlalchemy.orm import (\n    # mapped\n    Mapped,  # a\n    # the rest\n"
            "    mapped_column,\n    relationship,\n    # sessions\n    sessionmaker,  # b\n)",
        ),
        (
            "from sqlalchemy.orm import (  # ORM\n    # the names\n    sessionmaker,  # b\n)",
            "from sqlalchemy.orm import (  # ORM\n    relationship,\n    # the names\n"
            "    sessionmaker,  # b\n)",
        ),
    ],
    ids=["end-of-line", "end", "middle", "start"],
)
def test_an_import_holding_comments_gets_the_name_with_its_comments_kept(
    before: str, after: str
) -> None:
    source = GENERATED.replace("from sqlalchemy.orm import Mapped, mapped_column", before)
    result = apply_edits(source, [edit()], replace=False)
    assert result == apply_edits(GENERATED, [edit()], replace=False).replace(
        "from sqlalchemy.orm import Mapped, mapped_column, relationship", after
    )


def test_an_import_holding_comments_not_one_name_a_line_is_refused() -> None:
    source = GENERATED.replace(
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from sqlalchemy.orm import (Mapped,  # the annotation\n    mapped_column)",
    )
    with pytest.raises(ModelEditError, match="comments"):
        apply_edits(source, [edit()], replace=False)


def test_a_class_indented_otherwise_gets_the_statement_at_its_indentation() -> None:
    source = GENERATED.replace("\n    ", "\n  ")
    result = apply_edits(source, [edit()], replace=False)
    assert result.endswith(
        '  books: Mapped[list["Book"]] = relationship(\n'
        '      back_populates="author", lazy="raise", cascade="all", passive_deletes=True\n'
        "  )\n"
    )


def _isort(source: str) -> str:
    """``source`` as ``ruff check --select I --fix`` leaves it."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "--select=I", "--fix", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=_RUFF_CONFIG,
    )
    assert result.stdout, result.stderr
    return result.stdout


# -- the property: generated modules, edited ---------------------------------------------------

_RUFF_CONFIG = Path(tempfile.mkdtemp(prefix="dbscaffold-edit-model-"))
(_RUFF_CONFIG / "pyproject.toml").write_text(
    '[tool.ruff]\nline-length = 100\ntarget-version = "py311"\n\n'
    '[tool.ruff.lint.isort]\nknown-first-party = ["shop", "tests"]\n'
)

_EXTRA_IMPORTS = [
    ("stdlib", "import logging\n", "logging.getLogger(__name__)"),
    ("stdlib", "from typing import Any\n", "Any"),
    ("stdlib", "from typing import TYPE_CHECKING\n", "TYPE_CHECKING"),
    ("stdlib", "from datetime import datetime\n", "datetime"),
    ("third", "import sqlalchemy as sa\n", "sa"),
    ("third", "from sqlalchemy.orm import relationship\n", "relationship"),
    ("third", "from sqlalchemy.orm import validates\n", "validates"),
    ("first", "from shop.db.mixins import TimestampMixin\n", "TimestampMixin"),
]

#: Existing ``if TYPE_CHECKING:`` blocks, and a line that uses what they import.
_TYPE_CHECKING_BLOCKS = {
    "": "",
    "    from shop.models.award import Award\n": '_AWARD: "Award | None" = None\n',
    "    from sqlalchemy.sql import Select\n": '_SELECT: "Select[tuple[int]] | None" = None\n',
    "    from shop.models.book import Chapter\n": '_CHAPTER: "Chapter | None" = None\n',
    "    from sqlalchemy.sql import Select\n\n    from shop.models.zine import Zine\n": (
        '_BOTH: "Select[tuple[Zine]] | None" = None\n'
    ),
}

_METHOD = "\n    def {name}(self) -> str:\n{comment}        return str(self.id)\n"


@st.composite
def model_modules(draw: st.DrawFn) -> str:
    """A model module as a team might have grown it from the generated one."""
    comment = st.sampled_from(["", "# a note\n", "# TODO: more\n"])
    chosen = draw(st.lists(st.sampled_from(_EXTRA_IMPORTS), unique=True))
    sections: dict[str, list[str]] = {"stdlib": [], "third": [], "first": []}
    merged: dict[str, set[str]] = {}
    for group, line, _ in chosen:
        if line.startswith("from "):
            module, name = line[5:].strip().split(" import ")
            merged.setdefault(f"{group}:{module}", set()).add(name)
        else:
            sections[group].append(draw(comment) + line)
    block = draw(st.sampled_from(sorted(_TYPE_CHECKING_BLOCKS)))
    if block:
        merged.setdefault("stdlib:typing", set()).add("TYPE_CHECKING")
    merged.setdefault("third:sqlalchemy.orm", set()).update({"Mapped", "mapped_column"})
    merged.setdefault("third:sqlalchemy", set()).add("String")
    merged.setdefault("first:shop.db.base", set()).add("Base")
    for key, names in merged.items():
        group, module = key.split(":")
        line = f"from {module} import {', '.join(sorted(names))}\n"
        sections[group].append(draw(comment) + line)
    header = draw(st.sampled_from(['"""The Author model."""\n\n', "# A module comment.\n\n", ""]))
    imports = "\n".join("".join(lines) for lines in sections.values() if lines)
    uses = ["String", "mapped_column"] + [use for _, _, use in chosen]
    between = draw(comment)
    body = ['    __tablename__ = "author"\n']
    columns = draw(st.integers(0, 3))
    if columns:
        body.append("\n")
    for index in range(columns):
        body.append(draw(comment).replace("#", "    #"))
        body.append(f"    column_{index}: Mapped[str] = mapped_column(String(10))\n")
    for index in range(draw(st.integers(0, 2))):
        method_comment = draw(comment).replace("#", "        #")
        body.append(_METHOD.format(name=f"method_{index}", comment=method_comment))
    other = draw(st.booleans())
    text = header + imports
    if block:
        text += f"\nif TYPE_CHECKING:\n{block}"
    text += "\n" + "".join(f"_USED_{index} = {use}\n" for index, use in enumerate(uses))
    text += _TYPE_CHECKING_BLOCKS[block]
    text += f"\n\n{between}class Author(Base):\n" + "".join(body)
    if other:
        text += '\n\n# Another class.\nclass Other(Base):\n    __tablename__ = "other"\n'
    text += draw(st.sampled_from(["", '\n\nHELLO = "after the class"\n']))
    return _isort(text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(model_modules(), min_size=4, max_size=4))
def test_edited_modules_keep_their_lines_are_stable_and_pass_ruff(sources: list[str]) -> None:
    outputs = []
    for source in sources:
        once = apply_edits(source, [edit()], replace=False)
        assert apply_edits(once, [edit()], replace=False) == once
        kept = [line for line in source.splitlines() if not _import_line(line)]
        remaining = iter(once.splitlines())
        assert all(line in remaining for line in kept), "a line was lost or moved"
        compile(once, "author.py", "exec")
        outputs.append(once)
    directory = Path(tempfile.mkdtemp(dir=_RUFF_CONFIG))
    for index, output in enumerate(outputs):
        (directory / f"module_{index}.py").write_text(output)
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
        assert checked.returncode == 0, checked.stdout + "\n".join(outputs)


def _import_line(line: str) -> bool:
    return line.lstrip().startswith(("from ", "import ")) or (
        line.startswith("    ") and line.endswith(",")
    )


def test_a_comment_at_the_end_of_the_inverse_does_not_make_it_differ() -> None:
    source = EDITED.replace("\n    )\n", "\n    )  # type: ignore[misc]  (ours)\n")
    assert apply_edits(source, [edit()], replace=True) == source


def test_windows_line_endings_stay_windows_line_endings() -> None:
    source = GENERATED.replace("\n", "\r\n")
    result = apply_edits(source, [edit()], replace=False)
    assert result == EDITED.replace("\n", "\r\n")


def test_a_block_under_typing_type_checking_needs_no_new_import() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n", "import typing\n\nfrom sqlalchemy import String\n"
    ).replace(
        "\n\nclass Author",
        "\nif typing.TYPE_CHECKING:\n    from shop.models.award import Award\n\n\nclass Author",
    )
    result = apply_edits(source, [edit()], replace=False)
    assert (
        "if typing.TYPE_CHECKING:\n"
        "    from shop.models.award import Award\n"
        "    from shop.models.book import Book\n"
    ) in result
    assert "from typing import" not in result


def test_a_type_checking_block_with_an_else_is_refused() -> None:
    source = GENERATED.replace(
        "from sqlalchemy import String\n",
        "from typing import TYPE_CHECKING\n\nfrom sqlalchemy import String\n",
    ).replace(
        "\n\nclass Author", "\nif TYPE_CHECKING:\n    pass\nelse:\n    pass\n\n\nclass Author"
    )
    with pytest.raises(ModelEditError, match="TYPE_CHECKING"):
        apply_edits(source, [edit()], replace=False)


def test_a_module_postponing_annotations_gets_the_annotation_unquoted() -> None:
    """With ``from __future__ import annotations`` ruff (UP037) refuses quoted annotations."""
    future = GENERATED.replace('"""\n', '"""\n\nfrom __future__ import annotations\n', 1)
    scalar = '    book: Mapped["Book | None"] = relationship(back_populates="author", lazy="raise")'

    edited = apply_edits(future, [edit(), edit(scalar, attribute="book")], replace=False)

    assert "    books: Mapped[list[Book]] = relationship(\n" in edited
    assert '    book: Mapped[Book | None] = relationship(back_populates="author"' in edited
    assert apply_edits(edited, [edit(), edit(scalar, attribute="book")], replace=False) == edited
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "UP037,F",
            "--target-version",
            "py311",
            "-",
        ],
        input=edited,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout


def test_a_class_binding_a_name_the_annotation_needs_is_refused() -> None:
    """After a column called ``list``, ``Mapped[list["Book"]]`` would subscript the column."""
    source = GENERATED.replace(
        "    name: Mapped[str] = mapped_column(String(100))\n",
        "    name: Mapped[str] = mapped_column(String(100))\n"
        "    list: Mapped[str] = mapped_column(String(100))\n",
    )
    with pytest.raises(ModelEditError, match="its annotation needs 'list'"):
        apply_edits(source, [edit()], replace=False)


def test_a_module_binding_the_new_model_s_name_is_refused() -> None:
    source = GENERATED.replace(
        "\n\nclass Author", '\n\nclass Book(enum.StrEnum):\n    A = "a"\n\n\nclass Author'
    )
    with pytest.raises(ModelEditError, match="already binds 'Book'"):
        apply_edits(source, [edit()], replace=False)
