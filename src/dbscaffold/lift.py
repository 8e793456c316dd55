"""Taking statements out of a rendered module, to add them to a module the project has.

``add-field`` renders the model, repository and test templates for the new fields alone,
then lifts what they add (class attributes, methods, enum classes, association tables)
into the existing modules: the templates stay the one place that says how code looks.
"""

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class Lifted:
    """One statement of a rendered module, as a ``ClassEdit`` takes it."""

    #: The name it binds.
    name: str
    #: Its code, indented by four spaces.
    code: str
    #: The names its code refers to (annotations in quotes included): what it imports.
    uses: frozenset[str]


def class_statements(rendered: str, class_name: str, *, leave: frozenset[str]) -> list[Lifted]:
    """The statements of ``class_name``'s body, but those binding a name in ``leave`` (what
    the existing class has its own of: ``__tablename__``...)."""
    import libcst as cst

    module = cst.parse_module(rendered)
    body = _class(module, class_name).body
    assert isinstance(body, cst.IndentedBlock)
    lifted = [_lifted(module, statement) for statement in body.body]
    return [item for item in lifted if item.name not in leave]


def table_args(rendered: str, class_name: str) -> list[Lifted]:
    """The elements of ``class_name``'s ``__table_args__`` tuple (``unique_while_live``
    indexes), each named by its first argument."""
    import libcst as cst

    from dbscaffold.edit_model import _bound_names, referenced_names

    module = cst.parse_module(rendered)
    body = _class(module, class_name).body
    assert isinstance(body, cst.IndentedBlock)
    found = []
    for statement in body.body:
        if "__table_args__" not in _bound_names(statement):
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        assignment = statement.body[0]
        assert isinstance(assignment, cst.Assign)
        assert isinstance(assignment.value, cst.Tuple)
        for element in assignment.value.elements:
            call = element.value
            assert isinstance(call, cst.Call)
            first = call.args[0].value
            assert isinstance(first, cst.SimpleString)
            code = module.code_for_node(call)
            found.append(
                Lifted(str(first.evaluated_value), code, frozenset(referenced_names(call)))
            )
    return found


def module_statements(rendered: str, class_name: str) -> list[Lifted]:
    """The top-level definitions before ``class_name`` (enums, association tables), without
    the imports and the ``if TYPE_CHECKING:`` block."""
    import libcst as cst

    module = cst.parse_module(rendered)
    found = []
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            break
        if isinstance(statement, cst.If):
            continue
        if isinstance(statement, cst.SimpleStatementLine) and (
            all(isinstance(s, cst.Import | cst.ImportFrom | cst.Expr) for s in statement.body)
        ):
            continue  # the imports and the docstring
        found.append(_lifted(module, statement))
    return found


def _class(module: "cst.Module", class_name: str) -> "cst.ClassDef":
    import libcst as cst

    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            return statement
    raise AssertionError(f"the rendered module has no class {class_name}")


def _lifted(module: "cst.Module", statement: "cst.CSTNode") -> Lifted:
    import libcst as cst

    from dbscaffold.edit_model import _bound_names, referenced_names

    assert isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement)
    bare = statement.with_changes(leading_lines=())
    code = module.code_for_node(bare).rstrip("\n")
    names = set(_bound_names(statement))
    assert len(names) == 1, f"one name per lifted statement, got {names}"
    uses = referenced_names(statement)
    return Lifted(names.pop(), textwrap.indent(code, "    "), frozenset(uses))
