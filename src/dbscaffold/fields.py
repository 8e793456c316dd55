"""The field syntax of ``add-model``: ``name[:type][?][:modifier ...][=default]``.

Parsing is pure: a string becomes a :class:`FieldSpec` or raises
:class:`FieldSpecError`, nothing else.
"""

import json
import keyword
import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from dbscaffold.errors import DbscaffoldError
from dbscaffold.registry import MIXIN_COLUMNS

T = TypeVar("T")

EXAMPLE = "title:str{200} body:text? published:bool=false author:ref:User:cascade"


class FieldSpecError(DbscaffoldError):
    """A field argument that cannot be turned into a column."""

    def __init__(self, message: str, hint: str = f"for example: {EXAMPLE}") -> None:
        super().__init__(message, hint)


@dataclass(frozen=True)
class TypeInfo:
    """One field type: how it is written, and what it becomes."""

    syntax: str
    python: str
    sqlalchemy: str
    postgresql: str
    sqlite: str


#: Every field type, in the order the docs list them.
TYPES: dict[str, TypeInfo] = {
    "str": TypeInfo(
        "str, str{N}", "str", "String(N) (N = 255 by default)", "VARCHAR(N)", "VARCHAR"
    ),
    "text": TypeInfo("text", "str", "Text", "TEXT", "TEXT"),
    "int": TypeInfo("int", "int", "Integer", "INTEGER", "INTEGER"),
    "bigint": TypeInfo("bigint", "int", "BigInteger", "BIGINT", "BIGINT"),
    "float": TypeInfo("float", "float", "Float", "FLOAT", "FLOAT"),
    "decimal": TypeInfo("decimal{P.S}", "Decimal", "Numeric(P, S)", "NUMERIC(P, S)", "NUMERIC"),
    "bool": TypeInfo("bool", "bool", "Boolean", "BOOLEAN", "BOOLEAN"),
    "date": TypeInfo("date", "date", "Date", "DATE", "DATE"),
    "datetime": TypeInfo(
        "datetime", "datetime (aware)", "UTCDateTime", "TIMESTAMP WITH TIME ZONE", "DATETIME"
    ),
    "uuid": TypeInfo("uuid", "UUID", "Uuid", "UUID", "CHAR(32)"),
    "json": TypeInfo("json", "dict[str, Any]", "JSON (JSONB on PostgreSQL)", "JSONB", "JSON"),
    "bytes": TypeInfo("bytes", "bytes", "LargeBinary", "BYTEA", "BLOB"),
    "enum": TypeInfo(
        "enum:a:b:c",
        "a StrEnum",
        "Enum (VARCHAR + named CHECK)",
        "VARCHAR + CHECK",
        "VARCHAR + CHECK",
    ),
    "ref": TypeInfo(
        "ref:Model",
        "the target's key type",
        "ForeignKey + relationship(lazy='raise')",
        "the target's key type",
        "the target's key type",
    ),
}

ON_DELETE = {"cascade": "CASCADE", "setnull": "SET NULL", "restrict": "RESTRICT"}
MODIFIERS = ("unique", "index", *ON_DELETE)

#: Attribute names SQLAlchemy's declarative classes use for themselves.
RESERVED_NAMES = frozenset(
    {"metadata", "registry", "query", "mapper", "session", "c", "columns", "awaitable_attrs"}
)

#: Names the generated code uses where a field of that name would hide them: the
#: model class body's annotations and calls, and ``get_by_<field>(self, <field>)``.
SHADOWING_NAMES = frozenset(
    {
        *("str", "int", "float", "bool", "bytes", "dict", "date", "datetime", "uuid"),
        *("mapped_column", "relationship", "enum_type", "postgresql", "self"),
    }
)

#: Names the generated modules import (or define) themselves, so a model cannot take them.
RESERVED_MODEL_NAMES = frozenset(
    {
        *("Base", "Repository", "Mapped", "Any", "TYPE_CHECKING", "UTC", "Decimal"),
        *("AsyncSession", "IntegrityError", "ConflictError", "ForeignKey", "BigIntKey"),
        *("UUIDPrimaryKeyMixin", "IntegerPrimaryKeyMixin", "DualIdMixin", "TimestampMixin"),
        *("SoftDeleteMixin", "VersionMixin", "UTCDateTime", "String", "Text", "Integer"),
        *("BigInteger", "Float", "Numeric", "Boolean", "Date", "Uuid", "LargeBinary", "JSON"),
        *("NotNullViolationError", "UniqueViolationError", "CheckViolationError"),
        *("ForeignKeyViolationError",),
    }
)

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_SIZED = re.compile(r"(?P<kind>str|decimal)\{(?P<args>[^}]*)\}")
_PASCAL = re.compile(r"[A-Z][A-Za-z0-9]*")


@dataclass(frozen=True)
class FieldSpec:
    """One parsed field."""

    name: str
    kind: str
    nullable: bool = False
    unique: bool = False
    index: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum_values: tuple[str, ...] = ()
    target: str | None = None
    on_delete: str | None = None
    default: object = None
    has_default: bool = False
    modifiers: tuple[str, ...] = field(default=(), compare=False)

    @property
    def column_name(self) -> str:
        """The database column: refs store ``<name>_id``."""
        return f"{self.name}_id" if self.kind == "ref" else self.name


def parse_fields(arguments: Sequence[str]) -> list[FieldSpec]:
    """Parse every field argument; a name given twice is an error."""
    seen: dict[str, str] = {}
    for argument in arguments:
        name = argument.split("=", 1)[0].split(":", 1)[0].rstrip("?")
        if name in seen:
            raise FieldSpecError(
                f"field {name!r} is given twice ({seen[name]!r} and {argument!r})",
                hint="quote a comma inside braces: 'price:decimal{10,2}', or write decimal{10.2}",
            )
        seen[name] = argument
    specs = [parse_field(argument) for argument in arguments]
    columns: dict[str, str] = {}
    for spec in specs:
        for column in {spec.name, spec.column_name}:
            if column in columns and columns[column] != spec.name:
                raise FieldSpecError(
                    f"fields {columns[column]!r} and {spec.name!r} both need the name {column!r}"
                )
            columns[column] = spec.name
    return specs


def parse_field(argument: str) -> FieldSpec:
    """Parse one ``name[:type][?][:modifier ...][=default]`` argument."""
    body, has_default, raw_default = argument.partition("=")
    if body.count("?") > 1:
        raise FieldSpecError(f"{argument!r}: '?' (nullable) may appear once")
    nullable = "?" in body
    if nullable and not re.search(r"\?(:|$)", body):
        raise FieldSpecError(f"{argument!r}: '?' goes right after the type, e.g. body:text?")
    tokens = body.replace("?", "").split(":")
    name = _check_name(tokens[0], argument)
    type_token = tokens[1] if len(tokens) > 1 and tokens[1] else "str"
    rest = tokens[2:]

    kind, sizes = _parse_type_token(type_token, argument)
    values: tuple[str, ...] = ()
    target = None
    if kind == "enum":
        values = tuple(t for t in rest if t not in MODIFIERS)
        rest = [t for t in rest if t in MODIFIERS]
        _check_enum_values(values, argument)
        if name == "repository":  # its class, <Model>Repository, is the repository's name
            raise FieldSpecError(
                f"{argument!r}: an enum named 'repository' would take the name of the"
                " model's repository class; choose another name"
            )
    elif kind == "ref":
        if not rest or not re.fullmatch(r"[A-Za-z_]\w*", rest[0]):
            raise FieldSpecError(f"{argument!r}: ref needs a model name, e.g. author:ref:User")
        target, rest = rest[0], rest[1:]

    for modifier in rest:
        if modifier not in MODIFIERS:
            raise FieldSpecError(
                f"{argument!r}: unknown modifier {modifier!r}; supported: {', '.join(MODIFIERS)}"
            )
    on_delete = [ON_DELETE[m] for m in rest if m in ON_DELETE]
    if on_delete and kind != "ref":
        raise FieldSpecError(f"{argument!r}: {', '.join(ON_DELETE)} only apply to ref fields")
    if len(on_delete) > 1:
        raise FieldSpecError(f"{argument!r}: choose one of {', '.join(ON_DELETE)}")
    if "SET NULL" in on_delete and not nullable:
        raise FieldSpecError(
            f"{argument!r}: setnull needs a nullable column", hint=f"write {name}:ref:{target}?"
        )

    spec = FieldSpec(
        name=name,
        kind=kind,
        nullable=nullable,
        unique="unique" in rest,
        index="index" in rest,
        length=sizes[0] if kind == "str" else None,
        precision=sizes[0] if kind == "decimal" else None,
        scale=sizes[1] if kind == "decimal" else None,
        enum_values=values,
        target=target,
        on_delete=on_delete[0] if on_delete else None,
        modifiers=tuple(rest),
    )
    if has_default and spec.unique:
        raise FieldSpecError(
            f"{argument!r}: a unique field cannot have a default (every row would get it)",
            hint=f"drop ':unique' or the default, e.g. {body}",
        )
    if has_default:
        value = parse_default(spec, raw_default, argument)
        spec = FieldSpec(**{**spec.__dict__, "default": value, "has_default": True})
    return spec


def _check_name(name: str, argument: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise FieldSpecError(
            f"{argument!r}: field name {name!r} must be a lowercase identifier (snake_case)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise FieldSpecError(f"{argument!r}: {name!r} is a Python keyword; try {name}_")
    if name.startswith("_") or name in RESERVED_NAMES:
        raise FieldSpecError(f"{argument!r}: {name!r} is reserved by SQLAlchemy; choose another")
    if name == "l":
        raise FieldSpecError(
            f"{argument!r}: 'l' reads like 1 (ruff E741 refuses it); choose a descriptive name"
        )
    if name in SHADOWING_NAMES:
        raise FieldSpecError(
            f"{argument!r}: {name!r} would hide the generated code's own {name!r}",
            hint=f"choose a more specific name, e.g. {name}_value or {name}_",
        )
    if name in MIXIN_COLUMNS:
        raise FieldSpecError(
            f"{argument!r}: {name!r} is a column the mixins add; choose another name"
        )
    return name


def _parse_type_token(token: str, argument: str) -> tuple[str, tuple[int, int]]:
    sized = _SIZED.fullmatch(token)
    if sized:
        kind, args = sized["kind"], sized["args"]
        if kind == "str":
            if not args.isdigit() or int(args) < 1:
                raise FieldSpecError(f"{argument!r}: str{{N}} needs a length of at least 1")
            return kind, (int(args), 0)
        parts = re.split(r"[.,]", args)
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise FieldSpecError(
                f"{argument!r}: decimal needs precision and scale: decimal{{10.2}}"
            )
        precision, scale = int(parts[0]), int(parts[1])
        if not 1 <= precision <= 1000:
            raise FieldSpecError(f"{argument!r}: decimal precision must be 1 to 1000")
        if scale > precision:
            raise FieldSpecError(f"{argument!r}: scale {scale} is above precision {precision}")
        return kind, (precision, scale)
    if token == "decimal":
        raise FieldSpecError(f"{argument!r}: decimal needs precision and scale: decimal{{10.2}}")
    if token == "str":
        return "str", (255, 0)
    if token not in TYPES:
        raise FieldSpecError(f"{argument!r}: unknown type {token!r}; supported: {', '.join(TYPES)}")
    return token, (0, 0)


def _check_enum_values(values: tuple[str, ...], argument: str) -> None:
    if not values:
        raise FieldSpecError(f"{argument!r}: an enum needs values, e.g. status:enum:draft:live")
    for value in values:
        if not _IDENTIFIER.fullmatch(value) or keyword.iskeyword(value):
            raise FieldSpecError(
                f"{argument!r}: enum value {value!r} must be a lowercase identifier"
            )
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise FieldSpecError(f"{argument!r}: enum value {duplicates[0]!r} is given twice")


def parse_default(spec: FieldSpec, raw: str, argument: str) -> object:
    """The typed default for ``spec``, from its text after ``=``."""

    def bad(expected: str) -> FieldSpecError:
        return FieldSpecError(f"{argument!r}: default {raw!r} is not {expected}")

    kind = spec.kind
    if kind in {"str", "text"}:
        if spec.length is not None and len(raw) > spec.length:
            raise bad(f"at most {spec.length} characters")
        return raw
    if kind in {"int", "bigint"}:
        if not re.fullmatch(r"-?\d+", raw):
            raise bad("an integer")
        return int(raw)
    if kind == "decimal":
        return _decimal_default(spec, raw, bad)
    if kind == "bool":
        if raw.lower() not in {"true", "false"}:
            raise bad("true or false")
        return raw.lower() == "true"
    if kind == "datetime":
        value = _convert(datetime.fromisoformat, raw, bad("an ISO datetime"))
        if value.tzinfo is None:
            raise bad("timezone-aware (add +00:00)")
        return value
    if kind == "enum":
        if raw not in spec.enum_values:
            raise bad(f"one of {', '.join(spec.enum_values)}")
        return raw
    converters: dict[str, tuple[Callable[[str], object], str]] = {
        "float": (float, "a number"),
        "date": (date.fromisoformat, "a date (YYYY-MM-DD)"),
        "uuid": (uuid.UUID, "a UUID"),
        "json": (json.loads, "JSON"),
    }
    if kind in converters:
        convert, expected = converters[kind]
        converted = _convert(convert, raw, bad(expected))
        if isinstance(converted, float) and not math.isfinite(converted):
            raise bad("a finite number")  # nan and inf are not Python literals
        return converted
    raise FieldSpecError(f"{argument!r}: a {kind} field cannot have a default")


def _convert(convert: Callable[[str], T], raw: str, error: FieldSpecError) -> T:
    try:
        return convert(raw)
    except ValueError:
        raise error from None


def _decimal_default(spec: FieldSpec, raw: str, bad: Callable[[str], FieldSpecError]) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise bad("a decimal number") from None
    precision, scale = spec.precision or 0, spec.scale or 0
    if not value.is_finite():
        raise bad("a finite number")
    # Trailing zeros need no scale (5.10 fits decimal{2.1}) and zero no integer digit.
    _, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    integer_digits = 0 if value.is_zero() else max(0, len(digits) + exponent)
    if -exponent > scale or integer_digits > precision - scale:
        raise bad(f"a decimal{{{precision}.{scale}}}")
    return value


def check_model_name(name: str) -> str:
    """A model name must be PascalCase and not a Python keyword."""
    if not _PASCAL.fullmatch(name) or name in {"None", "True", "False"}:
        raise DbscaffoldError(
            f"model name {name!r} must be PascalCase, e.g. BlogPost",
            hint="dbscaffold add-model BlogPost title:str{200}",
        )
    if name in RESERVED_MODEL_NAMES:
        raise DbscaffoldError(
            f"model name {name!r} is a name the generated code imports",
            hint=f"choose a more specific name, e.g. {name}Record",
        )
    return name


def table_name(class_name: str) -> str:
    """``BlogPost`` -> ``blog_post``; ``HTTPRequest`` -> ``http_request``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return words.lower()
