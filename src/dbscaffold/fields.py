"""The field syntax of ``add-model``: ``name[:type][?][:modifier ...][=default]``.

Parsing is pure: a string becomes a :class:`FieldSpec` or raises
:class:`FieldSpecError`, nothing else.
"""

import keyword
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from dbscaffold.errors import DbscaffoldError
from dbscaffold.field_types import (
    FIELD_TYPES,
    MODIFIERS,
    NO_INVERSE,
    ON_DELETE,
    FieldType,
    FieldTypeError,
    TypeInfo,
)
from dbscaffold.registry import MIXIN_COLUMNS, MIXIN_METHODS

__all__ = [
    "EXAMPLE",
    "MIXIN_COLUMNS",
    "MODIFIERS",
    "NO_INVERSE",
    "ON_DELETE",
    "RESERVED_MODEL_NAMES",
    "RESERVED_NAMES",
    "SHADOWING_NAMES",
    "TYPES",
    "FieldSpec",
    "FieldSpecError",
    "check_model_name",
    "check_table_name",
    "parse_field",
    "parse_fields",
    "plural",
    "table_name",
]

EXAMPLE = "title:str{200} body:text? published:bool=false author:ref:User:cascade"


class FieldSpecError(DbscaffoldError):
    """A field argument that cannot be turned into a column."""

    def __init__(self, message: str, hint: str = f"for example: {EXAMPLE}") -> None:
        super().__init__(message, hint)


#: Every field type, in the order the docs list them: the docs' table of each.
TYPES: dict[str, TypeInfo] = {name: field_type.info for name, field_type in FIELD_TYPES.items()}

#: Attribute names SQLAlchemy's declarative classes use for themselves.
RESERVED_NAMES = frozenset(
    {"metadata", "registry", "query", "mapper", "session", "c", "columns", "awaitable_attrs"}
)

#: Names the generated code uses where a field of that name would hide them: the
#: model class body's annotations and calls, and ``get_by_<field>(self, <field>)``.
SHADOWING_NAMES = frozenset(
    {
        *("str", "int", "float", "bool", "bytes", "dict", "list", "date", "datetime", "uuid"),
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
        *("ForeignKeyViolationError", "Column", "Table"),
        *("InvalidRequestError", "StillReferencedError"),  # the relationships' tests
    }
)

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_TYPE_TOKEN = re.compile(r"(?P<name>[^{]*)(\{(?P<size>[^}]*)\})?")
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
    #: The name chosen for the relationship's inverse on the target (``Target.name``).
    inverse: str | None = None
    #: ``noinverse``: the target gets no attribute for this relationship.
    no_inverse: bool = False
    on_delete: str | None = None
    default: object = None
    has_default: bool = False
    modifiers: tuple[str, ...] = field(default=(), compare=False)

    @property
    def type(self) -> FieldType:
        return FIELD_TYPES[self.kind]

    @property
    def column_name(self) -> str:
        """The database column: refs store ``<name>_id``."""
        return self.type.column_name(self.name)


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

    field_type, size = _parse_type_token(type_token, argument)
    with _about(argument):
        sizes = field_type.parse_size(size)
        arguments, rest = field_type.parse_arguments(name, tokens[2:])

    for modifier in rest:
        if modifier not in MODIFIERS:
            raise FieldSpecError(
                f"{argument!r}: unknown modifier {modifier!r}; supported: {', '.join(MODIFIERS)}"
            )
    with _about(argument):
        field_type.check_modifiers(nullable, rest)
    if arguments.get("inverse") is not None:
        _check_name(arguments["inverse"], argument, what="inverse name")
    on_delete = [ON_DELETE[m] for m in rest if m in ON_DELETE]
    if on_delete and not field_type.takes_on_delete:
        raise FieldSpecError(f"{argument!r}: {', '.join(ON_DELETE)} only apply to ref fields")
    if len(on_delete) > 1:
        raise FieldSpecError(f"{argument!r}: choose one of {', '.join(ON_DELETE)}")
    if "SET NULL" in on_delete and not nullable:
        raise FieldSpecError(
            f"{argument!r}: setnull needs a nullable column",
            hint=f"write {name}:ref:{arguments['target']}?",
        )

    spec = FieldSpec(
        name=name,
        kind=field_type.name,
        nullable=nullable,
        unique="unique" in rest,
        index="index" in rest,
        on_delete=on_delete[0] if on_delete else None,
        no_inverse=NO_INVERSE in rest,
        modifiers=tuple(rest),
        **sizes,
        **arguments,
    )
    if has_default and spec.unique:
        raise FieldSpecError(
            f"{argument!r}: a unique field cannot have a default (every row would get it)",
            hint=f"drop ':unique' or the default, e.g. {body}",
        )
    if has_default:
        with _about(argument):
            spec = replace(
                spec, default=field_type.parse_default(spec, raw_default), has_default=True
            )
    return spec


@contextmanager
def _about(argument: str) -> Iterator[None]:
    """A field type's error, said about the whole argument."""
    try:
        yield
    except FieldTypeError as error:
        raise FieldSpecError(f"{argument!r}: {error}") from None


def _check_name(name: str, argument: str, what: str = "field name") -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise FieldSpecError(
            f"{argument!r}: {what} {name!r} must be a lowercase identifier (snake_case)"
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
    if name in MIXIN_METHODS:
        raise FieldSpecError(
            f"{argument!r}: {name!r} would hide the mixins' {name!r}; choose another name"
        )
    return name


def _parse_type_token(token: str, argument: str) -> tuple[FieldType, str | None]:
    """The type named by ``token``, and the size in its braces (``None``: no braces)."""
    match = _TYPE_TOKEN.fullmatch(token)
    field_type = FIELD_TYPES.get(match["name"]) if match else None
    if match is None or field_type is None or not (match["size"] is None or field_type.takes_size):
        raise FieldSpecError(f"{argument!r}: unknown type {token!r}; supported: {', '.join(TYPES)}")
    return field_type, match["size"]


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


#: PostgreSQL's limit: a longer table name is silently cut short, and no longer matches.
MAX_TABLE_NAME = 63


def check_table_name(name: str, what: str) -> str:
    """Refuse a table name PostgreSQL would cut short."""
    if len(name) > MAX_TABLE_NAME:
        raise DbscaffoldError(
            f"{what} {name!r} is {len(name)} characters long; PostgreSQL allows {MAX_TABLE_NAME}",
            hint="choose a shorter name (--table NAME for the model's own table)",
        )
    return name


def table_name(class_name: str) -> str:
    """``BlogPost`` -> ``blog_post``; ``HTTPRequest`` -> ``http_request``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return words.lower()


#: English plurals that no suffix rule makes, for the last word of a name.
_IRREGULAR_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women"}


def plural(name: str) -> str:
    """``book`` -> ``books``, ``blog_post`` -> ``blog_posts``, ``category`` -> ``categories``."""
    head, _, last = name.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _IRREGULAR_PLURALS:
        return prefix + _IRREGULAR_PLURALS[last]
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    return prefix + last + "s"
