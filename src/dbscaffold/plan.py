"""Planning ``add-model``: from parsed fields to the render context of each file.

Pure functions: nothing here reads or writes files.
"""

import builtins
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import FieldSpec, check_model_name, table_name
from dbscaffold.imports import LINE_LENGTH, Imports
from dbscaffold.keys import PrimaryKey
from dbscaffold.layout import bracketed
from dbscaffold.project import ExistingModel, Project

PK_MIXINS: dict[str, str] = {
    PrimaryKey.UUID7: "UUIDPrimaryKeyMixin",
    PrimaryKey.UUID4: "UUIDPrimaryKeyMixin",
    PrimaryKey.INT: "IntegerPrimaryKeyMixin",
    PrimaryKey.DUAL: "DualIdMixin",
}
#: The longest default written inline: ``default=...`` must fit a 100-character line.
MAX_DEFAULT_LENGTH = 80
#: A sample string starts with at most this much of its field's name (the line must fit).
SAMPLE_PREFIX = 20
_SIMPLE_TYPES = {
    "text": ("str", "Text"),
    "int": ("int", "Integer"),
    "bigint": ("int", "BigInteger"),
    "float": ("float", "Float"),
    "bool": ("bool", "Boolean"),
    "date": ("date", "Date"),
    "uuid": ("uuid.UUID", "Uuid"),
    "bytes": ("bytes", "LargeBinary"),
}


@dataclass(frozen=True)
class ModelRequest:
    """What the user asked for, checked against the project."""

    class_name: str
    table: str
    module: str
    fields: tuple[FieldSpec, ...]
    pk: str
    timestamps: bool
    soft_delete: bool
    versioning: bool


def build_request(
    project: Project,
    class_name: str,
    fields: list[FieldSpec],
    *,
    table: str | None,
    pk: str | None,
    timestamps: bool | None,
    soft_delete: bool | None,
    versioning: bool | None,
    replace_existing: bool = False,
) -> ModelRequest:
    """Check the model against the project, and fill options from its answers."""
    check_model_name(class_name)
    table = table or table_name(class_name)
    module = table_name(class_name)
    for existing in project.models:
        if replace_existing and existing.class_name == class_name:
            continue  # --force / --skip: regenerate over (or around) the model's files
        if existing.class_name == class_name:
            raise DbscaffoldError(
                f"model {class_name} exists already ({existing.module}.py)",
                hint="choose another name, or edit the existing model",
            )
        if table in (existing.table, existing.module) or module == existing.module:
            raise DbscaffoldError(
                f"table {table!r} belongs to {existing.class_name} already",
                hint="pass --table NAME to choose another table name",
            )
    answers = project.answers
    request = ModelRequest(
        class_name=class_name,
        table=table,
        module=module,
        fields=tuple(fields),
        pk=pk or str(answers.get("primary_key", "uuid7")),
        timestamps=_mixin_option("timestamps", timestamps, answers),
        soft_delete=_mixin_option("soft_delete", soft_delete, answers),
        versioning=_mixin_option("versioning", versioning, answers),
    )
    if request.pk != answers.get("primary_key"):
        raise DbscaffoldError(
            f"--pk {request.pk}: this project's models use primary_key="
            f"{answers.get('primary_key')}, and its mixins module has only that key",
            hint="leave out --pk; the key strategy is a project-wide choice",
        )
    for spec in fields:
        if spec.kind == "ref":
            _resolve_ref(project, request, spec)
    return request


def _mixin_option(name: str, given: bool | None, answers: Any) -> bool:
    enabled = bool(answers.get(name, False))
    if given and not enabled:
        raise DbscaffoldError(
            f"--{name.replace('_', '-')}: this project was generated without {name}",
            hint=f"dbscaffold update --data {name}=true adds the shared code first",
        )
    return enabled if given is None else given


def _resolve_ref(project: Project, request: ModelRequest, spec: FieldSpec) -> ExistingModel:
    assert spec.target is not None
    if spec.target in (request.class_name, request.table, request.module):
        if not spec.nullable:
            raise DbscaffoldError(
                f"field {spec.name!r}: a reference to the model itself must be nullable",
                hint=f"write {spec.name}:ref:{spec.target}? (the first row has no {spec.name})",
            )
        key_type = "int" if request.pk in {"int", "dual"} else "uuid"
        return ExistingModel(request.class_name, request.table, request.module, key_type)
    target = project.find_model(spec.target)
    if target is None:
        known = ", ".join(m.class_name for m in project.models) or "none yet"
        raise DbscaffoldError(
            f"field {spec.name!r} refers to unknown model {spec.target!r} (known: {known})",
            hint="add the referenced model first",
        )
    return target


# -- render context ------------------------------------------------------------


def model_context(project: Project, request: ModelRequest) -> dict[str, Any]:
    """Everything the model, repository and test templates need, precomputed."""
    package = project.package
    key_annotation = "int" if request.pk in {"int", "dual"} else "uuid.UUID"
    model_imports, test_imports = Imports(), Imports()
    model_imports.add("third", "sqlalchemy.orm", "Mapped", "mapped_column")
    model_imports.add("first", f"{package}.db.base", "Base")
    mixins = [
        PK_MIXINS[request.pk],
        "TimestampMixin" if request.timestamps else "",
        "SoftDeleteMixin" if request.soft_delete else "",
        "VersionMixin" if request.versioning else "",
    ]
    mixins = [m for m in mixins if m]
    model_imports.add("first", f"{package}.db.mixins", *mixins)
    if request.soft_delete and any(f.unique for f in request.fields):
        model_imports.add("first", f"{package}.db.mixins", "unique_while_live")

    enums = []
    fields = []
    for spec in request.fields:
        context = _field_context(project, request, spec, model_imports, test_imports)
        fields.append(context)
        if spec.kind == "enum":
            enums.append(
                {
                    "class_name": context["enum_class"],
                    "members": [(v.upper(), v) for v in spec.enum_values],
                }
            )
    if enums:
        model_imports.module("stdlib", "enum")

    # new_<model>() numbers its rows only if some value needs a number to be unique.
    sequence = any(re.search(r"\bn\b", f["sample"]) for f in fields if not f["has_default"])
    if sequence:
        test_imports.module("stdlib", "itertools")
    test_imports.add("stdlib", "typing", "Any")
    test_imports.module("third", "pytest")
    test_imports.add("third", "sqlalchemy.ext.asyncio", "AsyncSession")
    test_imports.add("first", f"{package}.models.{request.module}", request.class_name)
    test_imports.add(
        "first", f"{package}.repositories.{request.module}", f"{request.class_name}Repository"
    )
    changeable = [f for f in fields if f["kind"] != "ref" and f["changed"]]
    if changeable:
        test_imports.update(changeable[0]["changed_imports"])
    if request.timestamps:
        test_imports.add("stdlib", "datetime", "UTC")
    if request.versioning and any(f["kind"] != "ref" and f["changed"] for f in fields):
        # the stale-update test needs a column it can change
        test_imports.add("third", "sqlalchemy", "update")
        test_imports.add("first", f"{package}.db.errors", "ConflictError")
    for error, raised in (
        (
            "NotNullViolationError",
            any(not f.nullable and not f.has_default for f in request.fields),
        ),
        ("UniqueViolationError", any(f.unique for f in request.fields)),
        ("CheckViolationError", any(f.kind == "enum" for f in request.fields)),
        ("ForeignKeyViolationError", any(f.kind == "ref" for f in request.fields)),
    ):
        if raised:
            test_imports.add("first", f"{package}.db.errors", error)

    repository_imports = Imports()
    repository_imports.add("first", f"{package}.db.repository", "Repository")
    repository_imports.add("first", f"{package}.models.{request.module}", request.class_name)
    for context in fields:
        if context["unique"] and context["kind"] != "ref":
            _annotation_imports(context, repository_imports, package, request.module)

    type_checking = Imports()
    for context in fields:
        if "type_checking" in context:
            type_checking.add("first", *context["type_checking"])
    _lay_out(request, fields)
    # the attribute a field is read by: a ref's key column, else the field itself
    attributes = [f["fk_column"] if f["kind"] == "ref" else f["name"] for f in fields]
    live_unique = [a for a, f in zip(attributes, fields, strict=True) if f["unique"]]

    return {
        "repository_imports": repository_imports.render(),
        "type_checking": type_checking.render(indent=4),
        "class_name": request.class_name,
        "table": request.table,
        "module": request.module,
        "pk": request.pk,
        "key_annotation": key_annotation,
        "timestamps": request.timestamps,
        "soft_delete": request.soft_delete,
        "versioning": request.versioning,
        "mixins": mixins,
        "enums": enums,
        "fields": fields,
        "sequence": sequence,
        "imports": model_imports.render(),
        "test_imports": test_imports.render(),
        # laid out by dbscaffold.layout: what goes between brackets that hold names
        "bases": bracketed(f"class {request.class_name}(", [*mixins, "Base"], "):"),
        "table_args": _table_args(request.table, live_unique if request.soft_delete else []),
        "column_names": bracketed("    for column in [", [f'"{a}"' for a in attributes], "]:"),
    }


def _lay_out(request: ModelRequest, fields: list[dict[str, Any]]) -> None:
    """Add the arguments of each field's calls, as :func:`bracketed` lays them out."""
    cls = request.class_name
    for field in fields:
        declaration = f"    {field['name']}: Mapped[{field['annotation']}] = "
        if field["kind"] == "ref":
            field["fk_arguments"] = bracketed(
                f"    {field['fk_column']}: Mapped[{field['fk_annotation']}] = mapped_column(",
                field["fk_args"],
                ")",
            )
            field["relationship_arguments"] = bracketed(
                declaration + "relationship(", field["relationship_args"], ")"
            )
            continue
        field["arguments"] = bracketed(
            declaration + "mapped_column(", [field["type"], *field["options"]], ")"
        )
        if field["unique"]:
            field["get_by_parameters"] = bracketed(
                f"    async def get_by_{field['name']}(",
                ["self", f"{field['parameter']}: {field['annotation']}"],
                f") -> {cls} | None:",
            )
            field["get_by_query"] = bracketed(
                "        return await self.session.scalar(",
                [f"self._select({cls}.{field['name']} == {field['parameter']})"],
                ")",
            )


def _table_args(table: str, live_unique: list[str]) -> str:
    """The inside of ``__table_args__ = (...)``: a unique index over live rows per column.

    One index goes on the line if it fits; more are one per line, as before.
    """
    indexes = [
        "unique_while_live("
        + bracketed("        unique_while_live(", [f'"{table}_{column}_key"', f'"{column}"'], "),")
        + ")"
        for column in live_unique
    ]
    one_line = f"    __table_args__ = ({indexes[0]},)" if len(indexes) == 1 else "\n"
    if "\n" not in one_line and len(one_line) <= LINE_LENGTH:
        return indexes[0] + ","
    return "".join(f"\n        {index}," for index in indexes) + ("\n    " if indexes else "")


def _field_context(
    project: Project,
    request: ModelRequest,
    spec: FieldSpec,
    model_imports: Imports,
    test_imports: Imports,
) -> dict[str, Any]:
    package = project.package
    context: dict[str, Any] = {
        "name": spec.name,
        # a parameter named like a builtin (type, id, input) would shadow it: ruff A002
        "parameter": spec.name + "_" if hasattr(builtins, spec.name) else spec.name,
        "kind": spec.kind,
        "nullable": spec.nullable,
        "unique": spec.unique,
        "has_default": spec.has_default,
        "options": [],
    }
    optional = " | None" if spec.nullable else ""
    if spec.kind == "ref":
        target = _resolve_ref(project, request, spec)
        is_self = target.class_name == request.class_name
        key_type = "int" if target.key_type == "int" else "uuid.UUID"
        if key_type == "uuid.UUID":
            model_imports.module("stdlib", "uuid")
        fk_args = [f'"{target.table}.id"'] + (
            [f'ondelete="{spec.on_delete}"'] if spec.on_delete else []
        )
        column_args = (["BigIntKey"] if key_type == "int" else []) + [
            f"ForeignKey({', '.join(fk_args)})",
            # A unique key is one-to-one; its constraint is the index. Over live rows only
            # (soft delete), the partial unique index does not cover deleted rows: index too.
            "unique=True" if spec.unique and not request.soft_delete else "index=True",
        ]
        if key_type == "int":
            model_imports.add("first", f"{package}.db.mixins", "BigIntKey")
        model_imports.add("third", "sqlalchemy", "ForeignKey")
        model_imports.add("third", "sqlalchemy.orm", "relationship")
        # Two keys to one table: each relationship must say which key it follows.
        same_table = [
            other
            for other in request.fields
            if other.kind == "ref" and _resolve_ref(project, request, other).table == target.table
        ]
        relationship_args = (
            ([f'remote_side="{request.class_name}.id"'] if is_self else [])
            + ([f"foreign_keys=[{spec.column_name}]"] if len(same_table) > 1 else [])
            + ['lazy="raise"']
        )
        if not is_self:
            model_imports.add("stdlib", "typing", "TYPE_CHECKING")
            context["type_checking"] = (f"{package}.models.{target.module}", target.class_name)
            test_imports.add("first", f"tests.models.test_{target.module}", f"new_{target.module}")
        test_imports.add("third", "sqlalchemy.orm", "selectinload")
        test_imports.add("third", "sqlalchemy", "update")
        context.update(
            fk_column=f"{spec.name}_id",
            fk_annotation=key_type + optional,
            fk_args=column_args,
            annotation=f'"{target.class_name}{optional}"',
            relationship_args=relationship_args,
            sample="None" if is_self else f"new_{target.module}()",
            missing="2**62" if key_type == "int" else "uuid.UUID(int=0)",
            is_self=is_self,
            target_class=target.class_name,
        )
        if key_type == "uuid.UUID":
            test_imports.module("stdlib", "uuid")
        return context
    annotation, sa_type = _column_type(spec, request, model_imports)
    context.update(
        annotation=annotation + optional,
        type=sa_type,
        # new_<model>() leaves a defaulted field out: its sample's imports are not needed.
        sample=_sample(spec, Imports() if spec.has_default else test_imports),
        # only the first changeable column's value is written (the update tests)
        changed_imports=Imports(),
    )
    context["changed"] = _changed(spec, context["changed_imports"])
    if spec.kind == "enum":
        context["enum_class"] = request.class_name + _pascal(spec.name)
        for key in ("sample", "changed"):
            if context[key]:
                context[key] = context[key].replace("{enum}", context["enum_class"])
        context["not_a_member"] = _not_a_member(spec.enum_values)
        test_imports.add("first", f"{package}.models.{request.module}", context["enum_class"])
        test_imports.add("third", "sqlalchemy", "literal_column", "update")
    if spec.unique and not request.soft_delete:
        context["options"].append("unique=True")
    if spec.index:
        context["options"].append("index=True")
    if spec.has_default:
        expression = _default_expression(spec, context)
        if len(expression) > MAX_DEFAULT_LENGTH:
            raise DbscaffoldError(
                f"field {spec.name!r}: its default is {len(expression)} characters long as"
                f" Python code, too long for one line (at most {MAX_DEFAULT_LENGTH})",
                hint="choose a shorter default, or set this one by hand after generating",
            )
        context["options"].append(f"default={expression}")
        context["default_check"] = _default_check(spec, expression, test_imports)
    return context


def _not_a_member(values: tuple[str, ...]) -> str:
    """A string that fits the enum's column (no longer than its longest value) but is no value.

    A longer one would fail on PostgreSQL for its length, not for the CHECK constraint.
    """
    longest = max(values, key=len)
    upper = longest.upper()  # values are lowercase identifiers
    return upper if upper not in values else "-" * len(longest)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _column_type(spec: FieldSpec, request: ModelRequest, imports: Imports) -> tuple[str, str]:
    if spec.kind == "str":
        imports.add("third", "sqlalchemy", "String")
        return "str", f"String({spec.length})"
    if spec.kind == "decimal":
        imports.add("stdlib", "decimal", "Decimal")
        imports.add("third", "sqlalchemy", "Numeric")
        return "Decimal", f"Numeric({spec.precision}, {spec.scale})"
    if spec.kind == "datetime":
        imports.add("stdlib", "datetime", "datetime")
        imports.add("first", f"{_package_of(imports)}.db.types", "UTCDateTime")
        return "datetime", "UTCDateTime"
    if spec.kind == "json":
        imports.add("stdlib", "typing", "Any")
        imports.add("third", "sqlalchemy", "JSON")
        imports.add("third", "sqlalchemy.dialects", "postgresql")
        # None is SQL NULL (NOT NULL refuses it), not the JSON value null
        return "dict[str, Any]", (
            "JSON(none_as_null=True)"
            '.with_variant(postgresql.JSONB(none_as_null=True), "postgresql")'
        )
    if spec.kind == "enum":
        enum_class = request.class_name + _pascal(spec.name)
        imports.add("first", f"{_package_of(imports)}.db.types", "enum_type")
        return enum_class, f'enum_type({enum_class}, "{spec.name}")'
    annotation, sa_type = _SIMPLE_TYPES[spec.kind]
    if annotation == "date":
        imports.add("stdlib", "datetime", "date")
    if annotation == "uuid.UUID":
        imports.module("stdlib", "uuid")
    imports.add("third", "sqlalchemy", sa_type)
    return annotation, sa_type


def _package_of(imports: Imports) -> str:
    for group, module in imports.names:
        if group == "first" and module.endswith(".db.base"):
            return module.removesuffix(".db.base")
    raise AssertionError("the base import is added first")


def _sample(spec: FieldSpec, imports: Imports) -> str:
    """A valid value for a new row's field, unique per ``n`` where the type allows."""
    kind = spec.kind
    if kind == "str":
        prefix = spec.name[: max(0, min(SAMPLE_PREFIX, (spec.length or 255) - 8))]
        return f'f"{prefix}-{{n}}"' if prefix else 'f"{n}"'
    if kind == "text":
        return f'f"{spec.name[:SAMPLE_PREFIX]}-{{n}}"'
    if kind in {"int", "bigint"}:
        return "n"
    if kind == "float":
        return "n + 0.5"
    if kind == "decimal":
        imports.add("stdlib", "decimal", "Decimal")
        whole_digits = (spec.precision or 0) - (spec.scale or 0)
        if not whole_digits:
            return "Decimal(0)"
        modulus = 10**whole_digits if whole_digits <= 9 else f"10**{whole_digits}"
        return f"Decimal(n % {modulus})"
    if kind == "bool":
        return "n % 2 == 0"
    if kind == "date":
        imports.add("stdlib", "datetime", "date", "timedelta")
        return "date(2024, 1, 1) + timedelta(days=n)"
    if kind == "datetime":
        imports.add("stdlib", "datetime", "UTC", "datetime", "timedelta")
        return "datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n)"
    if kind == "uuid":
        imports.module("stdlib", "uuid")
        return "uuid.uuid4()"
    if kind == "json":
        return '{"n": n}'
    if kind == "bytes":
        return 'f"bytes-{n}".encode()'
    if kind == "enum":
        return f"{{enum}}.{spec.enum_values[0].upper()}"
    raise AssertionError(kind)


def _changed(spec: FieldSpec, imports: Imports) -> str | None:
    """Another valid value, different from every sample; ``None`` if there is none."""
    kind = spec.kind
    if kind == "str":
        return '"' + "changed"[: spec.length or 255] + '"'
    simple = {
        "text": '"changed"',
        "int": "-1",
        "bigint": "-1",
        "float": "-1.5",
        "json": '{"changed": True}',
        "bytes": 'b"changed"',
    }
    if kind in simple:
        return simple[kind]
    if kind == "decimal":
        if (spec.precision or 0) <= (spec.scale or 0):
            return None
        imports.add("stdlib", "decimal", "Decimal")
        return 'Decimal("-1")'
    if kind == "bool":
        return None
    if kind == "date":
        imports.add("stdlib", "datetime", "date")
        return "date(1999, 12, 31)"
    if kind == "datetime":
        imports.add("stdlib", "datetime", "UTC", "datetime")
        return "datetime(1999, 12, 31, tzinfo=UTC)"
    if kind == "uuid":
        imports.module("stdlib", "uuid")
        return "uuid.UUID(int=1)"
    if kind == "enum":
        if len(spec.enum_values) < 2:
            return None
        return f"{{enum}}.{spec.enum_values[-1].upper()}"
    raise AssertionError(kind)


def _default_check(spec: FieldSpec, expression: str, imports: Imports) -> str:
    """How a test checks a defaulted column: ``is True``, ``== Decimal("0")``..."""
    if spec.kind == "bool":
        return f"is {expression}"
    if spec.kind == "json":
        return f"== {python_literal(spec.default)}"
    if spec.kind == "decimal":
        imports.add("stdlib", "decimal", "Decimal")
    if spec.kind in {"date", "datetime"}:
        imports.add("stdlib", "datetime", spec.kind)
    if spec.kind == "uuid":
        imports.module("stdlib", "uuid")
    return f"== {expression}"


def _default_expression(spec: FieldSpec, context: dict[str, Any]) -> str:
    value = spec.default
    kind = spec.kind
    if kind == "enum":
        return f"{context['enum_class']}.{str(value).upper()}"
    if kind == "decimal":
        return f'Decimal("{value}")'
    if kind == "date":
        return f'date.fromisoformat("{value}")'
    if kind == "datetime":
        assert isinstance(value, datetime)
        return f'datetime.fromisoformat("{value.isoformat()}")'
    if kind == "uuid":
        return f'uuid.UUID("{value}")'
    if kind == "json":
        return f"lambda: {python_literal(value)}"
    return python_literal(value)


def python_literal(value: object) -> str:
    """``value`` (a default: str, number, bool, None, or JSON) as ``ruff format`` writes it."""
    if isinstance(value, str):
        return _string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, float):
        return repr(value).replace("e+", "e")  # ruff format writes 1e16, not 1e+16
    return repr(value)


def _string_literal(value: str) -> str:
    """Double quotes, unless the value holds more double quotes than single ones.

    Non-ASCII characters are escaped: ruff flags look-alikes (RUF001) such as an acute
    accent in a string.
    """
    if value.count('"') > value.count("'"):
        return ascii(value)  # single-quoted: no double quote needs escaping
    body: list[str] = []
    escaped = iter(ascii(value)[1:-1])
    for char in escaped:  # re-quote repr's body: its \' become ', every " becomes \"
        if char == "\\":
            pair = char + next(escaped)
            body.append("'" if pair == "\\'" else pair)
        else:
            body.append('\\"' if char == '"' else char)
    return '"' + "".join(body) + '"'


def _annotation_imports(
    context: dict[str, Any], imports: Imports, package: str, module: str
) -> None:
    """Imports that a field's annotation needs when it appears in another module."""
    kind = context["kind"]
    if kind == "uuid":
        imports.module("stdlib", "uuid")
    elif kind in {"date", "datetime"}:
        imports.add("stdlib", "datetime", kind)
    elif kind == "decimal":
        imports.add("stdlib", "decimal", "Decimal")
    elif kind == "json":
        imports.add("stdlib", "typing", "Any")
    elif kind == "enum":
        imports.add("first", f"{package}.models.{module}", context["enum_class"])
