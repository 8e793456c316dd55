"""Planning ``add-model``: from parsed fields to the render context of each file.

Pure functions: nothing here reads or writes files.
"""

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbscaffold.edit_model import ClassEdit
from dbscaffold.errors import DbscaffoldError
from dbscaffold.field_types import Owner
from dbscaffold.fields import FieldSpec, check_model_name, check_table_name, table_name
from dbscaffold.imports import LINE_LENGTH, Imports, package_slack
from dbscaffold.layout import bracketed
from dbscaffold.literals import python_literal
from dbscaffold.project import ANSWERS_FILE, ExistingModel, Project
from dbscaffold.registry import KEYS, MIXINS, KeyStrategy, Mixin
from dbscaffold.relationships import (
    Relationship,
    association_table,
    forward_arguments,
    inverse_statement,
    plan_class_edits,
    plan_relationships,
)

#: The longest default written inline: ``default=...`` must fit a 100-character line.
MAX_DEFAULT_LENGTH = 80


@dataclass(frozen=True)
class ModelRequest:
    """What the user asked for, checked against the project."""

    class_name: str
    table: str
    module: str
    fields: tuple[FieldSpec, ...]
    key: KeyStrategy
    #: The enabled mixins, in ``registry.MIXINS``' order.
    mixins: tuple[Mixin, ...]

    @property
    def soft_delete(self) -> bool:
        """Unique fields are unique over live rows only: partial indexes, not constraints."""
        return any(mixin.option == "soft_delete" for mixin in self.mixins)


def build_request(
    project: Project,
    class_name: str,
    fields: list[FieldSpec],
    *,
    table: str | None,
    pk: str | None,
    mixins: Mapping[str, bool | None] | None = None,
    replace_existing: bool = False,
) -> ModelRequest:
    """Check the model against the project, and fill options from its answers.

    ``mixins`` holds what the user asked for per mixin option (``{"soft_delete": False}``);
    a mixin left out, or ``None``, is the project's answer.
    """
    check_model_name(class_name)
    table = check_table_name(table or table_name(class_name), "table name")
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
    given = mixins or {}
    unknown = sorted(set(given) - {mixin.option for mixin in MIXINS})
    if unknown:
        raise AssertionError(f"not mixin options: {unknown}")
    request = ModelRequest(
        class_name=class_name,
        table=table,
        module=module,
        fields=tuple(fields),
        key=_key_strategy(pk, answers),
        mixins=tuple(
            mixin for mixin in MIXINS if _mixin_option(mixin, given.get(mixin.option), answers)
        ),
    )
    plan_relationships(project, request)  # refuses what cannot be related
    return request


def field_request(project: Project, model: ExistingModel, fields: list[FieldSpec]) -> ModelRequest:
    """``add-field``: the existing model with only the new fields, checked against its rows.

    The table has rows already, so a new column needs a value for them: it is nullable, or
    has a default (a unique column has none: the grammar refuses it).
    """
    if not fields:
        raise DbscaffoldError("give at least one field to add", hint="e.g. subtitle:str?")
    for spec in fields:
        if spec.kind == "ref" and not spec.nullable:
            raise DbscaffoldError(
                f"field {spec.name!r}: {model.table} may have rows already, and a new"
                " reference has no value for them",
                hint=f"make it optional: {spec.name}:ref:{spec.target}?",
            )
        if spec.kind != "many" and not spec.nullable and not spec.has_default:
            raise DbscaffoldError(
                f"field {spec.name!r}: {model.table} may have rows already, and a new"
                " NOT NULL column without a default has no value for them",
                hint="make it optional (a ? after its type) or give it a default (=value)",
            )
    request = ModelRequest(
        class_name=model.class_name,
        table=model.table,
        module=model.module,
        fields=tuple(fields),
        key=_key_strategy(None, project.answers),
        mixins=tuple(mixin for mixin in MIXINS if mixin.option in model.mixins),
    )
    plan_relationships(project, request)  # refuses what cannot be related
    return request


def class_edits(project: Project, request: ModelRequest) -> list[ClassEdit]:
    """The inverse attributes ``add-model`` adds to the classes of existing models."""
    return plan_class_edits(project, request, plan_relationships(project, request))


def _key_strategy(pk: str | None, answers: Mapping[str, Any]) -> KeyStrategy:
    answer = answers.get("primary_key")
    key = KEYS.get(answer) if isinstance(answer, str) else None
    if key is None:
        raise DbscaffoldError(
            f"this project's primary_key answer is {answer!r}, not one of {', '.join(KEYS)}",
            hint=f"correct primary_key in {ANSWERS_FILE}",
        )
    if pk is not None and pk != answer:
        raise DbscaffoldError(
            f"--pk {pk}: this project's models use primary_key={answer},"
            " and its mixins module has only that key",
            hint="leave out --pk; the key strategy is a project-wide choice",
        )
    return key


def _mixin_option(mixin: Mixin, given: bool | None, answers: Mapping[str, Any]) -> bool:
    name = mixin.option
    enabled = bool(answers.get(name, False))
    if given and not enabled:
        raise DbscaffoldError(
            f"{mixin.flag}: this project was generated without {name}",
            hint=f"dbscaffold update --data {name}=true adds the shared code first",
        )
    return enabled if given is None else given


# -- render context ------------------------------------------------------------


@dataclass(frozen=True)
class ModelImports:
    """What the model and repository modules import, as sets: ``add-field`` merges the
    lines its statements use into the existing modules."""

    model: Imports
    type_checking: Imports
    repository: Imports


def model_context(project: Project, request: ModelRequest) -> dict[str, Any]:
    """Everything the model, repository and test templates need, precomputed."""
    return plan_model(project, request)[0]


def plan_model(
    project: Project, request: ModelRequest, *, extends: bool = False
) -> tuple[dict[str, Any], ModelImports]:
    """The render context of :func:`model_context`, and the imports it renders.

    With ``extends``, the request holds fields added to the existing model (``add-field``):
    the tests are a module of their own, beside the model's, whose factory builds on the
    model's ``new_<model>()``, and they leave out what the model's own tests cover.
    """
    package = project.package
    model_imports, test_imports = Imports(), Imports()
    model_imports.add("first", f"{package}.db.base", "Base")
    mixins = [request.key.mixin] + [mixin.class_name for mixin in request.mixins]
    model_imports.add_import(package, ("first", request.key.module, (request.key.mixin,)))
    for mixin in request.mixins:
        model_imports.add_import(package, ("first", mixin.module, (mixin.class_name,)))
    if request.soft_delete and any(f.unique for f in request.fields):
        model_imports.add("first", f"{package}.db.mixins", "unique_while_live")

    relationships = {r.spec.name: r for r in plan_relationships(project, request)}
    enums = []
    fields = []
    collections = []
    for spec in request.fields:
        relationship = relationships.get(spec.name)
        if spec.kind == "many":
            assert relationship is not None
            collections.append(_relationship_context(project, request, relationship, model_imports))
            continue
        context = _field_context(
            project, request, spec, relationship, model_imports, test_imports, extends=extends
        )
        if relationship is not None:
            context.update(_relationship_context(project, request, relationship, model_imports))
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
    targets = {r.target.class_name for r in relationships.values()}
    for enum in enums:
        if enum["class_name"] in targets:
            raise DbscaffoldError(
                f"the enum class {enum['class_name']} of {request.class_name} would take the"
                f" name of the model {enum['class_name']} it refers to",
                hint="rename the enum field",
            )
    if fields or collections:
        model_imports.add("third", "sqlalchemy.orm", "Mapped")
    if fields:  # a many-to-many alone is a relationship, no column
        model_imports.add("third", "sqlalchemy.orm", "mapped_column")

    # new_<model>() numbers its rows only if some value needs a number to be unique.
    sequence = any(_numbered(f["sample"]) for f in fields if not f["has_default"])
    if sequence:
        test_imports.module("stdlib", "itertools")
    test_imports.add("stdlib", "typing", "Any")
    test_imports.module("third", "pytest")
    test_imports.add("third", "sqlalchemy.ext.asyncio", "AsyncSession")
    test_imports.add("first", f"{package}.models.{request.module}", request.class_name)
    test_imports.add(
        "first", f"{package}.repositories.{request.module}", f"{request.class_name}Repository"
    )
    if extends:
        test_imports.add("first", "tests.models", f"test_{request.module}")
    changeable = [f for f in fields if f["kind"] != "ref" and f["changed"]]
    if changeable:
        test_imports.update(changeable[0]["changed_imports"])
    for mixin in () if extends else request.mixins:
        if changeable or not mixin.test_changes_a_column:
            for needed in mixin.test_imports:
                test_imports.add_import(package, needed)
    for error, raised in (
        (
            "NotNullViolationError",
            any(not f.nullable and not f.has_default and f.kind != "many" for f in request.fields),
        ),
        ("UniqueViolationError", any(f.unique for f in request.fields)),
        ("CheckViolationError", any(f.kind == "enum" for f in request.fields)),
        ("ForeignKeyViolationError", any(f.kind == "ref" for f in request.fields)),
    ):
        if raised:
            test_imports.add("first", f"{package}.db.errors", error)
    related = [f for f in fields if f["kind"] == "ref"] + collections
    _relationship_test_imports(package, request, related, test_imports)

    repository_imports = Imports()
    repository_imports.add("first", f"{package}.db.repository", "Repository")
    repository_imports.add("first", f"{package}.models.{request.module}", request.class_name)
    owner = Owner(package, request.class_name, request.module)
    for spec in request.fields:
        if spec.unique and spec.kind != "ref":
            spec.type.annotation_imports(spec, owner, repository_imports)

    type_checking = Imports()
    for context in [*fields, *collections]:
        if "type_checking" in context:
            type_checking.add("first", *context["type_checking"])
    _lay_out(request, [*fields, *collections])
    # the attribute a field is read by: a ref's key column, else the field itself
    attributes = [f["fk_column"] if f["kind"] == "ref" else f["name"] for f in fields]
    live_unique = [a for a, f in zip(attributes, fields, strict=True) if f["unique"]]
    slack = package_slack(package)

    context = {
        "repository_imports": repository_imports.render(slack=slack),
        "type_checking": type_checking.render(indent=4, slack=slack),
        "class_name": request.class_name,
        "table": request.table,
        "module": request.module,
        "pk": request.key.value,
        "key_annotation": request.key.annotation,
        # one yes/no per mixin option: "timestamps", "soft_delete"...
        **{mixin.option: mixin in request.mixins for mixin in MIXINS},
        "mixins": mixins,
        "enums": enums,
        "fields": fields,
        # many-to-many relationships: no column of their own, so not among the fields
        "collections": collections,
        "associations": [
            association_table(r, request) for r in relationships.values() if r.association
        ],
        # the inverses of self-references, which are attributes of the new class itself
        "own_inverses": [
            inverse_statement(r, request)
            for r in relationships.values()
            if r.is_self and r.inverse is not None
        ],
        "sequence": sequence,
        "extends": extends,
        "imports": model_imports.render(slack=slack),
        "test_imports": test_imports.render(slack=slack),
        # laid out by dbscaffold.layout: what goes between brackets that hold names
        "bases": bracketed(f"class {request.class_name}(", [*mixins, "Base"], "):"),
        "table_args": _table_args(request.table, live_unique if request.soft_delete else []),
        "column_names": bracketed("    for column in [", [f'"{a}"' for a in attributes], "]:"),
    }
    return context, ModelImports(model_imports, type_checking, repository_imports)


def _numbered(sample: str) -> bool:
    """Whether a sample value differs per row: it uses the row number ``n``."""
    return re.search(r"\bn\b", sample) is not None


def _lay_out(request: ModelRequest, fields: list[dict[str, Any]]) -> None:
    """Add the arguments of each field's calls, as :func:`bracketed` lays them out."""
    cls = request.class_name
    for field in fields:
        declaration = f"    {field['name']}: Mapped[{field['annotation']}] = "
        if field["kind"] in {"ref", "many"}:
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
    one_line = len(indexes) == 1 and "\n" not in indexes[0]
    if one_line and len(f"    __table_args__ = ({indexes[0]},)") <= LINE_LENGTH:
        return indexes[0] + ","
    return "".join(f"\n        {index}," for index in indexes) + ("\n    " if indexes else "")


def _relationship_context(
    project: Project, request: ModelRequest, relationship: Relationship, model_imports: Imports
) -> dict[str, Any]:
    """What a ``ref`` or ``many`` field's relationship adds to its context."""
    spec, target = relationship.spec, relationship.target
    model_imports.add("third", "sqlalchemy.orm", "relationship")
    context: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "relationship_args": forward_arguments(relationship, request),
        "is_self": relationship.is_self,
        "target_class": target.class_name,
        "target_module": target.module,
        "target_soft_delete": target.soft_delete,
        "on_delete": spec.on_delete,
        "association": relationship.association,
        "inverse": None
        if relationship.inverse is None
        else {"name": relationship.inverse, "scalar": relationship.scalar_inverse},
    }
    if not relationship.is_self:
        model_imports.add("stdlib", "typing", "TYPE_CHECKING")
        context["type_checking"] = (f"{project.package}.models.{target.module}", target.class_name)
    if spec.kind == "many":
        model_imports.add("third", "sqlalchemy", "Column", "ForeignKey", "Table")
        context["annotation"] = f'list["{target.class_name}"]'
    return context


def _field_context(
    project: Project,
    request: ModelRequest,
    spec: FieldSpec,
    relationship: Relationship | None,
    model_imports: Imports,
    test_imports: Imports,
    *,
    extends: bool = False,
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
        assert relationship is not None
        target = relationship.target
        is_self = relationship.is_self
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
        if not is_self:
            test_imports.add("first", f"tests.models.test_{target.module}", f"new_{target.module}")
        test_imports.add("third", "sqlalchemy.orm", "selectinload")
        test_imports.add("third", "sqlalchemy", "update")
        context.update(
            fk_column=f"{spec.name}_id",
            fk_annotation=key_type + optional,
            fk_args=column_args,
            annotation=f'"{target.class_name}{optional}"',
            sample="None" if is_self else f"new_{target.module}()",
            missing="2**62" if key_type == "int" else "uuid.UUID(int=0)",
        )
        if key_type == "uuid.UUID":
            test_imports.module("stdlib", "uuid")
        return context
    field_type, owner = spec.type, Owner(package, request.class_name, request.module)
    annotation, column_type = field_type.column(spec, owner, model_imports)
    context.update(
        annotation=annotation + optional,
        type=column_type,
        # new_<model>() leaves a defaulted field out: its sample's imports are not needed.
        sample=field_type.sample(spec, owner, Imports() if spec.has_default else test_imports),
        # only the first changeable column's value is written (the update tests)
        changed_imports=Imports(),
    )
    context["changed"] = field_type.changed(spec, owner, context["changed_imports"])
    context.update(field_type.test_context(spec, owner, test_imports))
    # get_by_<field>'s test looks up a value no row has: a new row's own, if each row
    # gets another (its sample uses the row number), else the changed value.
    context["samples_differ"] = _numbered(context["sample"])
    if spec.unique and not context["samples_differ"] and context["changed"]:
        test_imports.update(context["changed_imports"])
    if spec.unique and not request.soft_delete:
        context["options"].append("unique=True")
    if spec.index:
        context["options"].append("index=True")
    if spec.has_default:
        expression = field_type.default_expression(spec, owner)
        if len(expression) > MAX_DEFAULT_LENGTH:
            raise DbscaffoldError(
                f"field {spec.name!r}: its default is {len(expression)} characters long as"
                f" Python code, too long for one line (at most {MAX_DEFAULT_LENGTH})",
                hint="choose a shorter default, or set this one by hand after generating",
            )
        context["options"].append(f"default={expression}")
        server_default = field_type.server_default(spec)
        if extends and not spec.nullable and server_default is not None:
            # for the rows the code still running without the field inserts (add-field)
            context["options"].append(f"server_default={python_literal(server_default)}")
        context["default_check"] = field_type.default_check(spec, owner, test_imports)
    return context


def _relationship_test_imports(
    package: str, request: ModelRequest, related: list[dict[str, Any]], test_imports: Imports
) -> None:
    """What the tests of the ``ref`` and ``many`` fields' relationships import.

    ``related`` holds those fields' contexts (``inverse``, ``on_delete``,
    ``target_soft_delete``, ``association`` ...), as the test template reads them.
    """
    if not related:
        return
    test_imports.add("third", "sqlalchemy.exc", "InvalidRequestError")
    test_imports.add("third", "sqlalchemy.orm", "selectinload")
    test_imports.add("first", "tests.support", "loaded_rows")
    for field in related:
        module, cls = field["target_module"], field["target_class"]
        test_imports.add("first", f"{package}.repositories.{module}", f"{cls}Repository")
        many = field["kind"] == "many"
        if field["inverse"] is not None or many:
            test_imports.add("first", f"{package}.models.{module}", cls)
            test_imports.add("first", "tests.support", "recorded_statements")
        if many:
            test_imports.add("third", "sqlalchemy", "func", "select")
            test_imports.add("first", f"{package}.models.{request.module}", field["association"])
            test_imports.add("first", f"tests.models.test_{module}", f"new_{module}")
        # Soft-deleting the target is refused while rows point at it, unless their key
        # sets itself to NULL or cascades to rows that soft-delete too (soft_delete_row).
        followed = {"SET NULL"} | ({"CASCADE"} if request.soft_delete else set())
        if field["target_soft_delete"] and not many and field["on_delete"] not in followed:
            test_imports.add("first", f"{package}.db.errors", "StillReferencedError")
