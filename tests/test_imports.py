"""``dbscaffold.imports``: import blocks as ruff's isort writes them."""

from dbscaffold.imports import Imports
from dbscaffold.layout import bracketed


def test_sections_are_sorted_and_one_blank_line_apart() -> None:
    imports = Imports()
    imports.add("first", "app.models.b", "B")
    imports.add("first", "app.db.base", "Base")
    imports.add("third", "sqlalchemy.orm", "relationship", "Mapped", "mapped_column")
    imports.module("third", "pytest")
    imports.add("stdlib", "typing", "TYPE_CHECKING", "Any")
    imports.module("stdlib", "uuid")

    assert imports.render() == (
        "import uuid\n"
        "from typing import TYPE_CHECKING, Any\n"
        "\n"
        "import pytest\n"
        "from sqlalchemy.orm import Mapped, mapped_column, relationship\n"
        "\n"
        "from app.db.base import Base\n"
        "from app.models.b import B"
    )


def test_names_sort_as_constants_then_classes_then_the_rest() -> None:
    imports = Imports()
    imports.add("stdlib", "datetime", "timedelta", "datetime", "UTC", "date")
    imports.add("first", "app.db.mixins", "unique_while_live", "BigIntKey", "DualIdMixin")

    assert imports.render() == (
        "from datetime import UTC, date, datetime, timedelta\n"
        "\n"
        "from app.db.mixins import BigIntKey, DualIdMixin, unique_while_live"
    )


def test_a_from_import_too_long_for_a_line_has_one_name_per_line() -> None:
    imports = Imports()
    names = ["UUIDPrimaryKeyMixin", "TimestampMixin", "SoftDeleteMixin", "VersionMixin"]
    imports.add("first", "a_package_name_of_some_length.db.mixins", *names, "unique_while_live")

    assert imports.render() == (
        "from a_package_name_of_some_length.db.mixins import (\n"
        "    SoftDeleteMixin,\n"
        "    TimestampMixin,\n"
        "    UUIDPrimaryKeyMixin,\n"
        "    VersionMixin,\n"
        "    unique_while_live,\n"
        ")"
    )


def test_an_indented_block_counts_its_indentation() -> None:
    imports = Imports()
    imports.add("first", "app.models." + "m" * 60, "M" * 20)

    assert imports.render(indent=4) == (
        f"    from app.models.{'m' * 60} import (\n        {'M' * 20},\n    )"
    )


def test_nothing_to_import_is_an_empty_block() -> None:
    assert Imports().render() == ""


def test_a_bracket_stays_on_its_line_while_the_line_fits() -> None:
    assert bracketed("    x: Mapped[str] = mapped_column(", ["String(20)"], ")") == "String(20)"


def test_a_bracket_too_long_for_its_line_has_one_item_per_line_and_a_trailing_comma() -> None:
    before = f"    {'x' * 60}: Mapped[str | None] = mapped_column("

    assert bracketed(before, ["Text", 'default="abc"'], ")") == (
        '\n        Text,\n        default="abc",\n    '
    )
