"""``dbscaffold remove-field``: a model's field out of the code that add-model and add-field
wrote for it: its attribute, its relationship's inverse, its repository method, its tests;
with ``--migration``, the migration that drops its column."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbscaffold.add_field import find_model
from dbscaffold.change import FieldsOptions, carry_out
from dbscaffold.edit_model import _bound_names, _dotted, parse_module, referenced_names
from dbscaffold.errors import DbscaffoldError
from dbscaffold.migration import fitting_slug
from dbscaffold.project import ExistingModel, Project, read_project
from dbscaffold.prune import (
    has_tests,
    remove_class_attributes,
    remove_tests_of,
    remove_top_level,
)
from dbscaffold.registry import MIXIN_COLUMNS, MIXIN_METHODS
from dbscaffold.writer import FileWrite, read_text

#: What the key mixins give every model; not fields of its own.
KEY_COLUMNS = frozenset({"id", "public_id"})


@dataclass(frozen=True)
class FieldInCode:
    """A field as the model's class holds it."""

    name: str
    #: The attributes it takes in the class: the field, and a reference's key column.
    attributes: tuple[str, ...]
    #: The class of the model its relationship points at, if it is one.
    target: str | None = None


def remove_field(options: FieldsOptions, echo: Callable[[str], None]) -> None:
    options.write.check()
    project = read_project(options.project)
    model = find_model(project, options.model)
    if not options.fields:
        raise DbscaffoldError("give at least one field to remove", hint="e.g. subtitle")
    model_path = Path("src") / project.package / "models" / f"{model.module}.py"
    source = read_text(project.root / model_path)
    fields = [find_field(source, model, name) for name in dict.fromkeys(options.fields)]
    attributes = [a for f in fields for a in f.attributes]

    pruned = remove_class_attributes(source, model.class_name, attributes, where=str(model_path))
    # what the class no longer uses at the top of its module: an enum, an association table
    unused = _top_level_names_used(source) - _top_level_names_used(pruned.source)
    after = remove_top_level(pruned.source, unused, where=str(model_path)).source
    edited = {model_path: (source, after)}

    for item in fields:
        if item.target is None:
            continue
        target = project.find_model(item.target)
        if target is None:
            continue  # a class that is not a model of this project: nothing of ours there
        path = Path("src") / project.package / "models" / f"{target.module}.py"
        before, current = edited.get(path, (None, None))
        text = current if current is not None else read_text(project.root / path)
        inverse = _inverses(text, target.class_name, item.name, model.class_name)
        if inverse:
            result = remove_class_attributes(text, target.class_name, inverse, where=str(path))
            edited[path] = (before if before is not None else text, result.source)

    repository = Path("src") / project.package / "repositories" / f"{model.module}.py"
    if (project.root / repository).is_file():
        text = read_text(project.root / repository)
        methods = [f"get_by_{f.name}" for f in fields]
        result = remove_class_attributes(
            text, f"{model.class_name}Repository", methods, where=str(repository)
        )
        if result.names:
            edited[repository] = (text, result.source)

    writes = [FileWrite(path, after, expected=before) for path, (before, after) in edited.items()]
    writes += _test_writes(project, model, attributes)
    names = "_".join(f.name for f in fields)
    slug = fitting_slug(
        f"remove_{names}_from_{model.table}", f"remove_{len(fields)}_fields_from_{model.table}"
    )
    carry_out(
        project.root, writes, options.write, echo, migration=slug if options.migration else None
    )
    if not options.write.dry_run:
        columns = ", ".join(a for a in attributes if not _is_relationship_only(a, fields))
        echo(
            f"next: deploy the code without {columns or 'the field'} before running the"
            " migration that drops it (running code that still reads a column fails once it"
            " is gone); a NOT NULL column without a server default must first become"
            " nullable, or the new code's inserts fail until the drop runs"
        )


def find_field(source: str, model: ExistingModel, name: str) -> FieldInCode:
    """The field ``name`` of the model's class, or a one-line refusal."""
    from dbscaffold.edit_model import class_attributes

    attributes = class_attributes(source, model.class_name)
    if name in KEY_COLUMNS or name in MIXIN_COLUMNS or name in MIXIN_METHODS:
        raise DbscaffoldError(
            f"{model.class_name}.{name} comes from a mixin, not from a field",
            hint="it comes with the model's key strategy or mixin, which add-mixin turns on",
        )
    if name not in attributes:
        fields = ", ".join(sorted(a for a in attributes if not a.startswith("__"))) or "none"
        raise DbscaffoldError(
            f"{model.class_name} has no field {name!r}",
            hint=f"the attributes of {model.class_name}: {fields}",
        )
    reference = name.removesuffix("_id")
    is_key = reference != name and reference in attributes
    if is_key and _called(_statement(source, model.class_name, reference)) == "relationship":
        raise DbscaffoldError(
            f"{model.class_name}.{name} is the key of the reference {reference}",
            hint=f"remove the reference, which takes its key with it: {reference}",
        )
    statement = _statement(source, model.class_name, name)
    call = _called(statement)
    if call != "relationship":
        return FieldInCode(name, (name,))
    target = _relationship_target(statement)
    keyword_names = _keywords(statement)
    if f"{name}_id" in attributes:
        return FieldInCode(name, (f"{name}_id", name), target)
    if "secondary" in keyword_names:
        return FieldInCode(name, (name,), target)
    raise DbscaffoldError(
        f"{model.class_name}.{name} is the inverse of another model's reference",
        hint=f"remove that reference (its model's field) instead; it takes {name} with it",
    )


def _test_writes(
    project: Project, model: ExistingModel, attributes: Sequence[str]
) -> list[FileWrite]:
    """The model's test modules without the field's tests; an add-field module left with
    none goes."""
    writes = []
    tests = project.root / "tests" / "models"
    own = tests / f"test_{model.module}.py"
    added = sorted(
        path
        for path in tests.glob(f"test_{model.module}_*.py")
        if f"from tests.models import test_{model.module}\n" in read_text(path)
    )
    for path in [own, *added] if own.is_file() else added:
        text = read_text(path)
        where = str(path.relative_to(project.root))
        result = remove_tests_of(text, attributes, where=where, added=path != own)
        if result.source == text:
            continue
        keep = path == own or has_tests(result.source)
        relative = path.relative_to(project.root)
        writes.append(FileWrite(relative, result.source if keep else None, expected=text))
    return writes


def _is_relationship_only(attribute: str, fields: Sequence[FieldInCode]) -> bool:
    return any(f.name == attribute and f.target is not None for f in fields)


def _statement(source: str, class_name: str, name: str) -> "object":
    import libcst as cst

    module = cst.parse_module(source)
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            assert isinstance(statement.body, cst.IndentedBlock)
            for line in statement.body.body:
                if name in _bound_names(line):
                    return line
    raise AssertionError(f"{class_name}.{name} vanished")


def _called(statement: object) -> str:
    """The function an assignment's value calls: ``mapped_column``, ``relationship``."""
    import libcst as cst

    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assign | cst.AnnAssign) and isinstance(small.value, cst.Call):
            return _dotted(small.value.func).split(".")[-1]
    return ""


def _keywords(statement: object) -> set[str]:
    import libcst as cst

    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.Assign | cst.AnnAssign)
    assert isinstance(small.value, cst.Call)
    return {a.keyword.value for a in small.value.args if a.keyword is not None}


def _relationship_target(statement: object) -> str | None:
    """The class in ``Mapped["Target | None"]`` / ``Mapped[list["Target"]]``."""
    import libcst as cst
    import libcst.matchers as m

    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    if not isinstance(small, cst.AnnAssign):
        return None
    names: list[str] = []
    for node in m.findall(small.annotation, m.SimpleString() | m.Name()):
        if isinstance(node, cst.SimpleString):
            try:
                expression = cst.parse_expression(str(node.evaluated_value))
            except cst.ParserSyntaxError:
                continue
            names += [n.value for n in m.findall(expression, m.Name()) if isinstance(n, cst.Name)]
        elif isinstance(node, cst.Name):
            names.append(node.value)
    candidates = [n for n in names if n not in {"Mapped", "list", "None", "Optional"}]
    return candidates[-1] if candidates else None


def _inverses(source: str, class_name: str, field_name: str, model_class: str) -> list[str]:
    """The attributes of ``class_name`` that are the inverse of ``model_class.field_name``:
    ``relationship(back_populates="<field_name>")`` annotated with ``model_class``."""
    import libcst as cst

    module = parse_module(source, f"the module of {class_name}")
    found = []
    for statement in module.body:
        if not (isinstance(statement, cst.ClassDef) and statement.name.value == class_name):
            continue
        assert isinstance(statement.body, cst.IndentedBlock)
        for line in statement.body.body:
            if _called(line) != "relationship" or _relationship_target(line) != model_class:
                continue
            assert isinstance(line, cst.SimpleStatementLine)
            small = line.body[0]
            assert isinstance(small, cst.Assign | cst.AnnAssign)
            assert isinstance(small.value, cst.Call)
            for argument in small.value.args:
                value = argument.value
                if (
                    argument.keyword is not None
                    and argument.keyword.value == "back_populates"
                    and isinstance(value, cst.SimpleString)
                    and value.evaluated_value == field_name
                ):
                    found += sorted(_bound_names(line))
    return found


def _top_level_names(source: str) -> set[str]:
    """The names a module's enum classes and tables bind at the top level (not the model)."""
    import libcst as cst

    module = cst.parse_module(source)
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and any(
            _dotted(base.value).endswith("Enum") for base in statement.bases
        ):
            names.add(statement.name.value)
        elif _called(statement) == "Table":
            names |= _bound_names(statement)
    return names


def _top_level_names_used(source: str) -> set[str]:
    """Of :func:`_top_level_names`, those the rest of the module still uses."""
    import libcst as cst

    module = cst.parse_module(source)
    defined = _top_level_names(source)
    used: set[str] = set()
    for statement in module.body:
        if _bound_names(statement) & defined:
            continue
        used |= referenced_names(statement)
    return used & defined
