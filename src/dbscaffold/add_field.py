"""``dbscaffold add-field``: new columns (and relationships) for a model the project has.

The model's class, its repository and the targets of its new relationships are edited
through their syntax trees (everything else in them kept byte for byte); the new fields'
tests go in a test module of their own beside the model's.
"""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from dbscaffold import render
from dbscaffold.add_model import check_test_support, edited_files
from dbscaffold.change import FieldsOptions, carry_out
from dbscaffold.edit_model import ClassEdit, class_attributes
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import FieldSpec, parse_fields
from dbscaffold.imports import Imports
from dbscaffold.lift import Lifted, class_statements, module_statements, table_args
from dbscaffold.migration import fitting_slug
from dbscaffold.plan import ModelRequest, class_edits, field_request, plan_model
from dbscaffold.project import ExistingModel, Project, read_project
from dbscaffold.writer import FileWrite, read_text

#: What a refused edit can be avoided by, for the hints.
_ALTERNATIVE = "add the field by hand"


def add_field(options: FieldsOptions, echo: Callable[[str], None]) -> None:
    options.write.check()
    project = read_project(options.project)
    model = find_model(project, options.model)
    specs = parse_fields(options.fields)
    check_new_names(project, model, specs)
    check_one_key_per_target(project, model, specs)
    request = field_request(project, model, specs)
    if any(spec.type.relation for spec in request.fields):
        check_test_support(project.root)
    context, imports = plan_model(project, request, extends=True)
    rendered = {
        name: render.render(name, model=context, package_name=project.package)
        for name in (render.MODEL, render.REPOSITORY, render.TESTS)
    }
    package = f"src/{project.package}"
    model_module = f"{package}/models/{model.module}.py"
    edits = [
        *_edits(
            model_module,
            model.class_name,
            module_statements(rendered[render.MODEL], model.class_name),
            imports.model,
            Imports(),
            placement="module",
        ),
        *_edits(
            model_module,
            model.class_name,
            class_statements(
                rendered[render.MODEL],
                model.class_name,
                leave=frozenset({"__tablename__", "__table_args__"}),
            ),
            imports.model,
            imports.type_checking,
        ),
    ]
    edits += _edits(
        model_module,
        model.class_name,
        table_args(rendered[render.MODEL], model.class_name),
        imports.model,
        Imports(),
        placement="table_args",
    )
    methods = class_statements(
        rendered[render.REPOSITORY], f"{model.class_name}Repository", leave=frozenset({"model"})
    )
    if methods:
        edits += _edits(
            f"{package}/repositories/{model.module}.py",
            f"{model.class_name}Repository",
            methods,
            imports.repository,
            Imports(),
        )
    edits += class_edits(project, request)  # the inverses, in the targets' classes
    writes = edited_files(project.root, edits, replace=False)
    writes.append(FileWrite(test_module(request), rendered[render.TESTS]))
    names = "_".join(spec.name for spec in specs)
    slug = fitting_slug(
        f"add_{names}_to_{model.table}", f"add_{len(specs)}_fields_to_{model.table}"
    )
    carry_out(
        project.root, writes, options.write, echo, migration=slug if options.migration else None
    )


def find_model(project: Project, name: str) -> ExistingModel:
    model = project.find_model(name)
    if model is None:
        known = ", ".join(m.class_name for m in project.models) or "none yet"
        raise DbscaffoldError(
            f"no model {name!r} in src/{project.package}/models",
            hint=f"the project's models: {known}",
        )
    return model


def check_new_names(project: Project, model: ExistingModel, specs: Sequence[FieldSpec]) -> None:
    """Refuse a field the model has already: add-field adds, it does not change a column."""
    path = project.package_dir / "models" / f"{model.module}.py"
    existing = class_attributes(read_text(path), model.class_name)
    for spec in specs:
        for name in dict.fromkeys([spec.name, spec.column_name]):
            if name in existing:
                raise DbscaffoldError(
                    f"{model.class_name}.{name} exists already; add-field adds new fields,"
                    " it does not change one (its type, its options)",
                    hint="change a column by hand, with a hand-written migration"
                    " (see docs/grow.md)",
                )


def check_one_key_per_target(
    project: Project, model: ExistingModel, specs: Sequence[FieldSpec]
) -> None:
    """Refuse a second reference from the model to a table it references already.

    Two foreign keys to one table make each relationship name its own key
    (``foreign_keys=``), on both sides; add-field adds, it does not rewrite the model's
    relationships that are there.
    """
    import libcst as cst
    import libcst.matchers as m

    path = project.package_dir / "models" / f"{model.module}.py"
    module = cst.parse_module(read_text(path))
    classes = [
        s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == model.class_name
    ]
    foreign_key = m.Call(func=m.Name("ForeignKey") | m.Attribute(attr=m.Name("ForeignKey")))
    referenced: set[str] = set()
    for node in (n for c in classes for n in m.findall(c, foreign_key)):
        assert isinstance(node, cst.Call)
        first = node.args[0].value if node.args else None
        if isinstance(first, cst.SimpleString):
            referenced.add(str(first.evaluated_value).split(".")[0])
    for spec in specs:
        target = project.find_model(spec.target) if spec.kind == "ref" and spec.target else None
        if target is not None and target.table in referenced:
            raise DbscaffoldError(
                f"field {spec.name!r}: {model.class_name} references {target.class_name}"
                " already, and a second key to it needs foreign_keys= on both sides of the"
                " relationship that is there, which add-field does not rewrite",
                hint="add this reference by hand (see docs/add-model.md, 'Two fields to one"
                " target'), or add both in one add-model",
            )


def test_module(request: ModelRequest) -> Path:
    """``tests/models/test_<model>_<field>_<field>.py``: beside the model's own tests."""
    names = "_".join(spec.name for spec in request.fields)
    return Path("tests") / "models" / f"test_{request.module}_{names}.py"


def _edits(
    module: str,
    class_name: str,
    statements: Sequence[Lifted],
    imports: Imports,
    type_checking: Imports,
    *,
    placement: Literal["class", "module", "table_args"] = "class",
) -> list[ClassEdit]:
    return [
        ClassEdit(
            module=module,
            class_name=class_name,
            attribute=statement.name,
            statement=statement.code,
            back_populates="",
            imports=imports.restricted_to(set(statement.uses)),
            type_checking=type_checking.restricted_to(set(statement.uses)),
            placement=placement,
            alternative=_ALTERNATIVE,
        )
        for statement in statements
    ]
