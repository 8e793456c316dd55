"""The field types of ``add-model``: one object per type, in the order the docs list them.

A type knows everything about itself: how its size, arguments and default are written
(parsing stays pure: text in, values out or :class:`FieldTypeError`), and what code it
becomes (its column type and annotation, a sample and a changed value for the generated
tests, its default as Python code, and the imports each of those needs).

The field grammar (``name[:type][?][:modifier ...][=default]``) is in
:mod:`dbscaffold.fields`; the model around the fields is planned in :mod:`dbscaffold.plan`.
"""

import json
import keyword
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dbscaffold.literals import python_literal

if TYPE_CHECKING:
    from dbscaffold.fields import FieldSpec
    from dbscaffold.imports import Imports

T = TypeVar("T")

ON_DELETE = {"cascade": "CASCADE", "setnull": "SET NULL", "restrict": "RESTRICT"}
#: The modifier of a relationship without an inverse on its target.
NO_INVERSE = "noinverse"
MODIFIERS = ("unique", "index", *ON_DELETE, NO_INVERSE)

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+")


#: A sample string starts with at most this much of its field's name (the line must fit).
SAMPLE_PREFIX = 20


class FieldTypeError(ValueError):
    """What is wrong with a field's size, arguments or default (the grammar adds which field)."""


@dataclass(frozen=True)
class TypeInfo:
    """One field type as the docs' table shows it."""

    syntax: str
    python: str
    sqlalchemy: str
    postgresql: str
    sqlite: str


@dataclass(frozen=True)
class Owner:
    """The model a field belongs to, for the names its code refers to."""

    package: str
    class_name: str
    module: str


class FieldType:
    """A column type: what is the same for most types, each subclass says what differs."""

    name: ClassVar[str]
    info: ClassVar[TypeInfo]
    #: ``Mapped[<annotation>] = mapped_column(<column_type>)``, the column type a name that
    #: ``sqlalchemy`` exports (other column types override ``column()``).
    annotation: ClassVar[str]
    column_type: ClassVar[str]
    #: Code for the generated tests: a value unique per row number ``n``, and another value
    #: different from every sample (``None``: the type has none).
    sample_code: ClassVar[str]
    changed_code: ClassVar[str | None]
    #: Whether the type is written with a size in braces (``str{200}``, ``decimal{10.2}``).
    takes_size: ClassVar[bool] = False
    #: Whether the ``cascade``, ``setnull`` and ``restrict`` modifiers apply.
    takes_on_delete: ClassVar[bool] = False
    #: Whether the field is a relationship to a model (``Target[.inverse]``, ``noinverse``).
    relation: ClassVar[bool] = False

    # -- parsing ----------------------------------------------------------------------

    def parse_size(self, size: str | None) -> dict[str, Any]:
        """The spec's sizes from the text in braces (``None``: no braces)."""
        assert size is None, "the grammar only passes a size to a sized type"
        return {}

    def parse_arguments(self, name: str, tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
        """The spec's arguments taken from the tokens after the type, and the tokens left."""
        return {}, tokens

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        """The typed default, from the text after ``=``."""
        raise FieldTypeError(f"a {self.name} field cannot have a default")

    def check_modifiers(self, nullable: bool, modifiers: list[str]) -> None:
        """Refuse a modifier (or ``?``) that makes no sense for this type."""
        if NO_INVERSE in modifiers and not self.relation:
            raise FieldTypeError(f"{NO_INVERSE} only applies to ref and many fields")

    def column_name(self, name: str) -> str:
        """The database column of a field called ``name``."""
        return name

    # -- code -------------------------------------------------------------------------

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        """The annotation (without ``| None``) and the column type, as model code."""
        imports.add("third", "sqlalchemy", self.column_type)
        self.annotation_imports(spec, owner, imports)
        return self.annotation, self.column_type

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        """What the annotation needs imported, in the model and wherever else it appears."""

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        """A valid value for a new row, unique per ``n`` where the type allows."""
        return self.sample_code

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        """Another valid value, different from every sample; ``None`` if there is none."""
        return self.changed_code

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        """The default as the model's ``default=`` writes it."""
        return python_literal(spec.default)

    def server_default(self, spec: "FieldSpec") -> str | None:
        """The default as the database writes it for rows the ORM does not (``None``: the
        type has no text that every database reads back as the same value).

        ``add-field`` gives a new NOT NULL column one: the code still running without the
        field inserts rows too, and ``ADD COLUMN ... DEFAULT`` a constant does not rewrite
        the table (PostgreSQL 11+) or fail on one with rows (SQLite).
        """
        return None

    def default_check(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        """How a test checks a defaulted column: ``is True``, ``== Decimal("0")``..."""
        self.annotation_imports(spec, owner, imports)
        return f"== {self.default_expression(spec, owner)}"

    def test_context(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> dict[str, str]:
        """Anything else the type's own generated tests need."""
        return {}


def _not(raw: str, expected: str) -> FieldTypeError:
    return FieldTypeError(f"default {raw!r} is not {expected}")


def _convert(convert: Callable[[str], T], raw: str, expected: str) -> T:
    try:
        return convert(raw)
    except ValueError:
        raise _not(raw, expected) from None


class StrType(FieldType):
    name = "str"
    info = TypeInfo("str, str{N}", "str", "String(N) (N = 255 by default)", "VARCHAR(N)", "VARCHAR")
    annotation = "str"
    takes_size = True

    def server_default(self, spec: "FieldSpec") -> str | None:
        return str(spec.default)

    def parse_size(self, size: str | None) -> dict[str, Any]:
        if size is None:
            return {"length": 255}
        if not _NUMBER.fullmatch(size) or int(size) < 1:
            raise FieldTypeError("str{N} needs a length of at least 1")
        return {"length": int(size)}

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        if spec.length is not None and len(raw) > spec.length:
            raise _not(raw, f"at most {spec.length} characters")
        return raw

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        imports.add("third", "sqlalchemy", "String")
        return "str", f"String({spec.length})"

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        prefix = spec.name[: max(0, min(SAMPLE_PREFIX, (spec.length or 255) - 8))]
        return f'f"{prefix}-{{n}}"' if prefix else 'f"{n}"'

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        return '"' + "changed"[: spec.length or 255] + '"'


class TextType(FieldType):
    name = "text"
    info = TypeInfo("text", "str", "Text", "TEXT", "TEXT")
    annotation, column_type = "str", "Text"
    changed_code = '"changed"'

    def server_default(self, spec: "FieldSpec") -> str | None:
        return str(spec.default)

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        return raw

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        return f'f"{spec.name[:SAMPLE_PREFIX]}-{{n}}"'


class IntType(FieldType):
    name = "int"
    info = TypeInfo("int", "int", "Integer", "INTEGER", "INTEGER")
    annotation, column_type = "int", "Integer"
    sample_code, changed_code = "n", "-1"

    def server_default(self, spec: "FieldSpec") -> str | None:
        return str(spec.default)

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        if not re.fullmatch(r"-?\d+", raw):
            raise _not(raw, "an integer")
        return int(raw)


class BigIntType(IntType):
    name = "bigint"
    info = TypeInfo("bigint", "int", "BigInteger", "BIGINT", "BIGINT")
    column_type = "BigInteger"


class FloatType(FieldType):
    name = "float"
    info = TypeInfo("float", "float", "Float", "FLOAT", "FLOAT")
    annotation, column_type = "float", "Float"
    sample_code, changed_code = "n + 0.5", "-1.5"

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        value = _convert(float, raw, "a number")
        if not math.isfinite(value):
            raise _not(raw, "a finite number")  # nan and inf are not Python literals
        return value


class DecimalType(FieldType):
    name = "decimal"
    info = TypeInfo("decimal{P.S}", "Decimal", "Numeric(P, S)", "NUMERIC(P, S)", "NUMERIC")
    takes_size = True

    def parse_size(self, size: str | None) -> dict[str, Any]:
        parts = re.split(r"[.,]", size) if size is not None else []
        if len(parts) != 2 or not all(_NUMBER.fullmatch(p) for p in parts):
            raise FieldTypeError("decimal needs precision and scale: decimal{10.2}")
        precision, scale = int(parts[0]), int(parts[1])
        if not 1 <= precision <= 1000:
            raise FieldTypeError("decimal precision must be 1 to 1000")
        if scale > precision:
            raise FieldTypeError(f"scale {scale} is above precision {precision}")
        return {"precision": precision, "scale": scale}

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise _not(raw, "a decimal number") from None
        precision, scale = spec.precision or 0, spec.scale or 0
        if not value.is_finite():
            raise _not(raw, "a finite number")
        # Trailing zeros need no scale (5.10 fits decimal{2.1}) and zero no integer digit.
        _, digits, exponent = value.normalize().as_tuple()
        assert isinstance(exponent, int)
        integer_digits = 0 if value.is_zero() else max(0, len(digits) + exponent)
        if -exponent > scale or integer_digits > precision - scale:
            raise _not(raw, f"a decimal{{{precision}.{scale}}}")
        return value

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        imports.add("third", "sqlalchemy", "Numeric")
        self.annotation_imports(spec, owner, imports)
        return "Decimal", f"Numeric({spec.precision}, {spec.scale})"

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.add("stdlib", "decimal", "Decimal")

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        imports.add("stdlib", "decimal", "Decimal")
        whole_digits = (spec.precision or 0) - (spec.scale or 0)
        if not whole_digits:
            return "Decimal(0)"
        modulus = 10**whole_digits if whole_digits <= 9 else f"10**{whole_digits}"
        return f"Decimal(n % {modulus})"

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        if (spec.precision or 0) <= (spec.scale or 0):
            return None
        imports.add("stdlib", "decimal", "Decimal")
        return 'Decimal("-1")'

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        return f'Decimal("{spec.default}")'


class BoolType(FieldType):
    name = "bool"
    info = TypeInfo("bool", "bool", "Boolean", "BOOLEAN", "BOOLEAN")
    annotation, column_type = "bool", "Boolean"
    sample_code, changed_code = "n % 2 == 0", None

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        if raw.lower() not in {"true", "false"}:
            raise _not(raw, "true or false")
        return raw.lower() == "true"

    def default_check(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        return f"is {self.default_expression(spec, owner)}"


class DateType(FieldType):
    name = "date"
    info = TypeInfo("date", "date", "Date", "DATE", "DATE")
    annotation, column_type = "date", "Date"
    sample_code = "date(2024, 1, 1) + timedelta(days=n)"
    changed_code = "date(1999, 12, 31)"

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        return _convert(date.fromisoformat, raw, "a date (YYYY-MM-DD)")

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.add("stdlib", "datetime", "date")

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        imports.add("stdlib", "datetime", "date", "timedelta")
        return self.sample_code

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        imports.add("stdlib", "datetime", "date")
        return self.changed_code

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        return f'date.fromisoformat("{spec.default}")'


class DateTimeType(FieldType):
    name = "datetime"
    info = TypeInfo(
        "datetime", "datetime (aware)", "UTCDateTime", "TIMESTAMP WITH TIME ZONE", "DATETIME"
    )
    annotation, column_type = "datetime", "UTCDateTime"
    sample_code = "datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n)"
    changed_code = "datetime(1999, 12, 31, tzinfo=UTC)"

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        value = _convert(datetime.fromisoformat, raw, "an ISO datetime")
        if value.tzinfo is None:
            raise _not(raw, "timezone-aware (add +00:00)")
        return value

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        imports.add("first", f"{owner.package}.db.types", "UTCDateTime")
        self.annotation_imports(spec, owner, imports)
        return self.annotation, self.column_type

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.add("stdlib", "datetime", "datetime")

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        imports.add("stdlib", "datetime", "UTC", "datetime", "timedelta")
        return self.sample_code

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        imports.add("stdlib", "datetime", "UTC", "datetime")
        return self.changed_code

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        assert isinstance(spec.default, datetime)
        return f'datetime.fromisoformat("{spec.default.isoformat()}")'


class UuidType(FieldType):
    name = "uuid"
    info = TypeInfo("uuid", "UUID", "Uuid", "UUID", "CHAR(32)")
    annotation, column_type = "uuid.UUID", "Uuid"
    sample_code, changed_code = "uuid.uuid4()", "uuid.UUID(int=1)"

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        return _convert(uuid.UUID, raw, "a UUID")

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.module("stdlib", "uuid")

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        self.annotation_imports(spec, owner, imports)
        return self.sample_code

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        self.annotation_imports(spec, owner, imports)
        return self.changed_code

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        return f'uuid.UUID("{spec.default}")'


def _no_constant(name: str) -> object:
    raise ValueError(name)  # NaN, Infinity: not JSON, and not Python literals


class JsonType(FieldType):
    name = "json"
    info = TypeInfo("json", "dict[str, Any]", "JSON (JSONB on PostgreSQL)", "JSONB", "JSON")
    annotation = "dict[str, Any]"
    # None is SQL NULL (NOT NULL refuses it), not the JSON value null
    column_type = (
        'JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")'
    )
    sample_code, changed_code = '{"n": n}', '{"changed": True}'

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        value = _convert(lambda text: json.loads(text, parse_constant=_no_constant), raw, "JSON")
        if not isinstance(value, dict):  # the column's annotation is dict[str, Any]
            raise _not(raw, "a JSON object")
        return value

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        imports.add("third", "sqlalchemy", "JSON")
        imports.add("third", "sqlalchemy.dialects", "postgresql")
        self.annotation_imports(spec, owner, imports)
        return self.annotation, self.column_type

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.add("stdlib", "typing", "Any")

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        return f"lambda: {python_literal(spec.default)}"

    def default_check(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        return f"== {python_literal(spec.default)}"


class BytesType(FieldType):
    name = "bytes"
    info = TypeInfo("bytes", "bytes", "LargeBinary", "BYTEA", "BLOB")
    annotation, column_type = "bytes", "LargeBinary"
    sample_code, changed_code = 'f"bytes-{n}".encode()', 'b"changed"'


class EnumType(FieldType):
    name = "enum"
    info = TypeInfo(
        "enum:a:b:c",
        "a StrEnum",
        "Enum (VARCHAR + named CHECK)",
        "VARCHAR + CHECK",
        "VARCHAR + CHECK",
    )

    def server_default(self, spec: "FieldSpec") -> str | None:
        return str(spec.default)

    def parse_arguments(self, name: str, tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
        values = tuple(t for t in tokens if t not in MODIFIERS)
        if not values:
            raise FieldTypeError("an enum needs values, e.g. status:enum:draft:live")
        for value in values:
            if not _IDENTIFIER.fullmatch(value) or keyword.iskeyword(value):
                raise FieldTypeError(f"enum value {value!r} must be a lowercase identifier")
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise FieldTypeError(f"enum value {duplicates[0]!r} is given twice")
        if name == "repository":  # its class, <Model>Repository, is the repository's name
            raise FieldTypeError(
                "an enum named 'repository' would take the name of the"
                " model's repository class; choose another name"
            )
        return {"enum_values": values}, [t for t in tokens if t in MODIFIERS]

    def parse_default(self, spec: "FieldSpec", raw: str) -> object:
        if raw not in spec.enum_values:
            raise _not(raw, f"one of {', '.join(spec.enum_values)}")
        return raw

    def enum_class(self, spec: "FieldSpec", owner: Owner) -> str:
        return owner.class_name + "".join(part.capitalize() for part in spec.name.split("_"))

    def column(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> tuple[str, str]:
        enum_class = self.enum_class(spec, owner)
        imports.add("first", f"{owner.package}.db.types", "enum_type")
        return enum_class, f'enum_type({enum_class}, "{spec.name}")'

    def annotation_imports(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> None:
        imports.add("first", f"{owner.package}.models.{owner.module}", self.enum_class(spec, owner))

    def sample(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str:
        return f"{self.enum_class(spec, owner)}.{spec.enum_values[0].upper()}"

    def changed(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> str | None:
        if len(spec.enum_values) < 2:
            return None
        return f"{self.enum_class(spec, owner)}.{spec.enum_values[-1].upper()}"

    def default_expression(self, spec: "FieldSpec", owner: Owner) -> str:
        return f"{self.enum_class(spec, owner)}.{str(spec.default).upper()}"

    def test_context(self, spec: "FieldSpec", owner: Owner, imports: "Imports") -> dict[str, str]:
        self.annotation_imports(spec, owner, imports)
        imports.add("third", "sqlalchemy", "literal_column", "update")
        return {"enum_class": self.enum_class(spec, owner), "not_a_member": _not_a_member(spec)}


def _not_a_member(spec: "FieldSpec") -> str:
    """A string that fits the enum's column (no longer than its longest value) but is no value.

    A longer one would fail on PostgreSQL for its length, not for the CHECK constraint.
    """
    longest = max(spec.enum_values, key=len)
    upper = longest.upper()  # values are lowercase identifiers
    return upper if upper not in spec.enum_values else "-" * len(longest)


_TARGET = re.compile(r"(?P<target>[A-Za-z_]\w*)(\.(?P<inverse>[^.]*))?")


class _RelationType(FieldType):
    """A field pointing at a model: ``Target`` or ``Target.inverse`` after the type."""

    relation = True

    def parse_arguments(self, name: str, tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
        match = _TARGET.fullmatch(tokens[0]) if tokens else None
        if match is None:
            raise FieldTypeError(
                f"{self.name} needs a model name, e.g. {name}:{self.name}:Model"
                f" (or {name}:{self.name}:Model.inverse_name)"
            )
        if match["inverse"] is not None and NO_INVERSE in tokens[1:]:
            raise FieldTypeError(f"name the inverse or write :{NO_INVERSE}, not both")
        return {"target": match["target"], "inverse": match["inverse"]}, tokens[1:]


class RefType(_RelationType):
    """A foreign key and its relationship: its code depends on the target (see ``plan``)."""

    name = "ref"
    info = TypeInfo(
        "ref:Model",
        "the target's key type",
        "ForeignKey + relationship(lazy='raise')",
        "the target's key type",
        "the target's key type",
    )
    takes_on_delete = True

    def column_name(self, name: str) -> str:
        return f"{name}_id"


class ManyType(_RelationType):
    """A many-to-many relationship through an association table (see ``plan``)."""

    name = "many"
    info = TypeInfo(
        "many:Model",
        "a list of the target",
        "relationship(secondary=<model>_<target>)",
        "association table",
        "association table",
    )

    def check_modifiers(self, nullable: bool, modifiers: list[str]) -> None:
        refused = [m for m in modifiers if m in {"unique", "index"}] + (["?"] if nullable else [])
        if refused:
            raise FieldTypeError(
                f"a many field takes no {refused[0]!r}: it has no column of its own"
                " (its association table has the keys, unique and indexed)"
            )


#: Every field type, in the order the docs list them.
FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        StrType(),
        TextType(),
        IntType(),
        BigIntType(),
        FloatType(),
        DecimalType(),
        BoolType(),
        DateType(),
        DateTimeType(),
        UuidType(),
        JsonType(),
        BytesType(),
        EnumType(),
        RefType(),
        ManyType(),
    )
}
