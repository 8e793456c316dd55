"""Editing a model module the project owns: one attribute added to one class.

Only the class body and the import lines change; every other byte stays as it was.
The module is edited through libcst's concrete syntax tree, imported only when a
module is edited (``add-model``'s start-up does not pay for it).
"""

import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from dbscaffold.errors import DbscaffoldError
from dbscaffold.imports import LINE_LENGTH, Imports, _member_key, _module_key
from dbscaffold.layout import bracketed

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class ClassEdit:
    """One attribute to add to a model class of the project (the inverse of a relationship)."""

    #: The model module, ``src/<package>/models/<module>.py``.
    module: str
    class_name: str
    attribute: str
    #: The whole statement, indented by four spaces, without a trailing newline.
    statement: str
    #: The new model's field the attribute is the inverse of: an attribute of this name
    #: that is a ``relationship(back_populates=<field>)`` is ours (``--force`` replaces it).
    back_populates: str
    #: What the statement needs imported at the top of the module.
    imports: Imports
    #: What its annotations need, imported under ``if TYPE_CHECKING:``.
    type_checking: Imports
    #: Where the statement goes: into the class body; (``"module"``: an enum class, an
    #: association table) at the top level, right before the class; or (``"table_args"``:
    #: the statement is one element, a ``unique_while_live(...)``) into ``__table_args__``.
    placement: Literal["class", "module", "table_args"] = "class"
    #: The way around a refusal, for the hints: ``add :noinverse`` (add-model's inverses).
    alternative: str = "add :noinverse"


class ModelEditError(DbscaffoldError):
    """A model class that cannot be edited safely; nothing is written."""


_INVERSE_HINT = "choose another inverse name with Target.name, or add :noinverse"

#: isort's sections, in order; ``Imports`` groups are the middle three.
_SECTIONS = ("future", "stdlib", "third", "first", "local")


def apply_edits(source: str, edits: Sequence[ClassEdit], *, replace: bool) -> str:
    """``source`` with each edit's statement in its class and its imports at the top.

    An attribute already there with the same statement is left alone; one that differs
    and is a ``relationship(...)`` with ``back_populates`` naming the edit's field is
    replaced if ``replace``; anything else of that name is a :class:`ModelEditError`.
    """

    for edit in edits:
        module = parse_module(
            source,
            f"{edit.module} (adding {edit.class_name}.{edit.attribute})",
            hint=f"fix the module, or {edit.alternative}",
        )
        module = _edit_class(module, edit, replace=replace)
        if module.code != source:
            module = _ensure_imports(module, edit)
        source = module.code
    return source


def parse_module(source: str, where: str, *, hint: str = "fix the module first") -> "cst.Module":
    """``source`` parsed, or a one-line :class:`ModelEditError` naming ``where`` and the line."""
    import libcst as cst

    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise ModelEditError(f"{where} does not parse (line {error.raw_line})", hint=hint) from None


def class_attributes(source: str, class_name: str) -> set[str]:
    """The names the body of the top-level class ``class_name`` binds (none if no such class)."""
    import libcst as cst

    module = parse_module(source, f"the module of {class_name}")
    return {
        name
        for statement in module.body
        if isinstance(statement, cst.ClassDef)
        and statement.name.value == class_name
        and isinstance(statement.body, cst.IndentedBlock)
        for line in statement.body.body
        for name in _bound_names(line)
    }


def _edit_class(module: "cst.Module", edit: ClassEdit, *, replace: bool) -> "cst.Module":
    import libcst as cst

    where = f"{edit.module}"
    classes = [
        (index, statement)
        for index, statement in enumerate(module.body)
        if isinstance(statement, cst.ClassDef) and statement.name.value == edit.class_name
    ]
    rebound = any(
        edit.class_name in _bound_names(statement)
        for statement in module.body
        if not isinstance(statement, cst.ClassDef)
    )
    if len(classes) != 1 or rebound:
        raise ModelEditError(
            f"cannot add {edit.class_name}.{edit.attribute}: {where} has no top-level "
            f"`class {edit.class_name}(...)` statement that alone defines it",
            hint=f"define the class with a plain class statement, or {edit.alternative}",
        )
    index, class_def = classes[0]
    if edit.placement == "module":
        return _insert_before(module, index, edit)
    body = class_def.body
    if not isinstance(body, cst.IndentedBlock):
        raise ModelEditError(
            f"cannot add {edit.class_name}.{edit.attribute}: the class body in {where} "
            "is on the class line",
            hint=f"write the body on lines of its own, or {edit.alternative}",
        )
    if edit.placement == "table_args":
        statements = _with_table_arg(module, list(body.body), edit)
        class_def = class_def.with_changes(body=body.with_changes(body=statements))
        return module.with_changes(
            body=[*module.body[:index], class_def, *module.body[index + 1 :]]
        )
    new_line = cst.parse_statement(textwrap.dedent(edit.statement) + "\n")
    statements = list(body.body)
    if isinstance(new_line, cst.BaseCompoundStatement):  # a method: it goes last
        if any(edit.attribute in _bound_names(statement) for statement in statements):
            raise ModelEditError(
                f"{edit.class_name}.{edit.attribute} in {where} is already there",
                hint=f"rename or remove it, or {edit.alternative}",
            )
        new_line = new_line.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        class_def = class_def.with_changes(body=body.with_changes(body=[*statements, new_line]))
        return module.with_changes(
            body=[*module.body[:index], class_def, *module.body[index + 1 :]]
        )
    assert isinstance(new_line, cst.SimpleStatementLine)
    if _postpones_annotations(module):
        new_line = _unquoted(new_line)  # quotes there are noise (ruff UP037)
    # A class attribute named like a name of the annotation hides it there (a column `list`).
    hidden = _annotation_names(new_line) & {n for s in statements for n in _bound_names(s)}
    if hidden - {edit.attribute}:
        raise ModelEditError(
            f"cannot add {edit.class_name}.{edit.attribute}: its annotation needs "
            f"{sorted(hidden)[0]!r}, which the class body of {where} binds to something else",
            hint=f"rename that attribute, or {edit.alternative}",
        )
    for position, statement in enumerate(statements):
        if edit.attribute not in _bound_names(statement):
            continue
        if _code(module, statement) == _code(module, new_line):
            return module
        if not (_is_our_relationship(statement, edit.back_populates) and replace):
            problem = (
                "differs (pass --force to replace it)"
                if _is_our_relationship(statement, edit.back_populates)
                else "is already there"
            )
            raise ModelEditError(
                f"{edit.class_name}.{edit.attribute} in {where} {problem}",
                hint=_INVERSE_HINT,
            )
        assert isinstance(new_line, cst.SimpleStatementLine)
        assert isinstance(statement, cst.SimpleStatementLine)
        statements[position] = new_line.with_changes(leading_lines=statement.leading_lines)
        break
    else:
        columns = [i for i, statement in enumerate(statements) if _is_mapped_column(statement)]
        if columns:
            statements.insert(columns[-1] + 1, new_line)
        else:
            statements.append(new_line.with_changes(leading_lines=[cst.EmptyLine(indent=False)]))
    class_def = class_def.with_changes(body=body.with_changes(body=statements))
    return module.with_changes(body=[*module.body[:index], class_def, *module.body[index + 1 :]])


def _with_table_arg(
    module: "cst.Module", statements: list["cst.BaseStatement"], edit: ClassEdit
) -> list["cst.BaseStatement"]:
    """The class body with ``edit.statement`` (an expression) in ``__table_args__``: a new
    ``__table_args__ = (...,)`` after ``__tablename__``, or one more element of the tuple,
    laid out as ruff formats it (one line if it fits, else one element per line)."""
    import libcst as cst

    element = textwrap.dedent(edit.statement).strip()
    problem = f"cannot add {element} to {edit.class_name}.__table_args__ in {edit.module}"
    for position, statement in enumerate(statements):
        if "__table_args__" not in _bound_names(statement):
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        assignment = statement.body[0]
        if not isinstance(assignment, cst.Assign) or not isinstance(assignment.value, cst.Tuple):
            raise ModelEditError(f"{problem}: it is not a tuple", hint=f"{edit.alternative}")
        existing = [module.code_for_node(e.value) for e in assignment.value.elements]
        if element in existing:
            return statements
        if any("\n" in code or "#" in code for code in existing) or "#" in module.code_for_node(
            assignment.value
        ):
            raise ModelEditError(
                f"{problem}: its elements span lines or hold comments", hint=edit.alternative
            )
        # a one-element tuple's comma is syntax, not a magic trailing comma
        exploded = len(existing) > 1 and "\n" in module.code_for_node(assignment.value)
        new = _table_args_line([*existing, element], exploded=exploded)
        statements[position] = new.with_changes(leading_lines=statement.leading_lines)
        return statements
    names = [i for i, s in enumerate(statements) if "__tablename__" in _bound_names(s)]
    if not names:
        raise ModelEditError(f"{problem}: the class has no __tablename__", hint=edit.alternative)
    statements.insert(names[0] + 1, _table_args_line([element], exploded=False))
    return statements


def _table_args_line(elements: Sequence[str], *, exploded: bool) -> "cst.SimpleStatementLine":
    import libcst as cst

    one_line = f"__table_args__ = ({', '.join(elements)}{',' if len(elements) == 1 else ''})"
    if exploded or len(one_line) + 4 > LINE_LENGTH:
        inner = "".join(f"    {code},\n" for code in elements)
        text = f"__table_args__ = (\n{inner})"
    else:
        text = one_line
    line = cst.parse_statement(text + "\n")
    assert isinstance(line, cst.SimpleStatementLine)
    return line


def _insert_before(module: "cst.Module", index: int, edit: ClassEdit) -> "cst.Module":
    """The module with ``edit``'s top-level statement right before the class at ``index``."""
    import libcst as cst

    if any(edit.attribute in _bound_names(statement) for statement in module.body):
        raise ModelEditError(
            f"cannot add {edit.attribute} to {edit.module}: the module binds that name already",
            hint=f"rename what is there, or {edit.alternative}",
        )
    new = cst.parse_statement(textwrap.dedent(edit.statement) + "\n")
    blank = cst.EmptyLine(indent=False)
    class_def = module.body[index]
    # The new statement takes the class's leading lines (its blank lines, comments above it).
    new = new.with_changes(leading_lines=class_def.leading_lines)
    class_def = class_def.with_changes(leading_lines=[blank, blank])
    body = [*module.body[:index], new, class_def, *module.body[index + 1 :]]
    return module.with_changes(body=body)


def referenced_names(node: "cst.CSTNode") -> set[str]:
    """The names ``node`` refers to: not attribute names (``x.name``) or keywords
    (``name=``), but names inside strings that parse as expressions (annotations)."""
    import libcst as cst

    names: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:  # noqa: N802 (libcst's visitor names)
            names.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:  # noqa: N802
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:  # noqa: N802
            node.value.visit(self)
            return False

        def visit_SimpleString(self, node: cst.SimpleString) -> None:  # noqa: N802
            value = node.evaluated_value
            if not isinstance(value, str):
                return  # bytes
            try:
                expression = cst.parse_expression(value)
            except (cst.ParserSyntaxError, SyntaxError, ValueError):
                return
            if not isinstance(expression, cst.SimpleString | cst.ConcatenatedString):
                expression.visit(self)  # an annotation: "Author | None"

    node.visit(Collect())
    return names


def _code(module: "cst.Module", statement: "cst.CSTNode") -> str:
    """A statement's code without the comments above it and at the end of its line."""
    import libcst as cst

    if isinstance(statement, cst.SimpleStatementLine):
        statement = statement.with_changes(
            leading_lines=(), trailing_whitespace=cst.TrailingWhitespace()
        )
    elif isinstance(statement, cst.BaseCompoundStatement):
        statement = statement.with_changes(leading_lines=())
    return module.code_for_node(statement)


def _bound_names(statement: "cst.CSTNode") -> set[str]:
    """The names a statement of a module or class body binds (as far as it matters here)."""
    import libcst as cst

    if isinstance(statement, cst.ClassDef | cst.FunctionDef):
        return {statement.name.value}
    names: set[str] = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            if isinstance(small, cst.Assign):
                targets = [target.target for target in small.targets]
            elif isinstance(small, cst.AnnAssign | cst.AugAssign):
                targets = [small.target]
            elif isinstance(small, cst.Import | cst.ImportFrom) and not isinstance(
                small.names, cst.ImportStar
            ):
                names |= {_bound_name(alias) for alias in small.names}
            names |= {t.value for t in targets if isinstance(t, cst.Name)}
    return names


def _bound_name(alias: "cst.ImportAlias") -> str:
    import libcst as cst

    if alias.asname is not None:
        assert isinstance(alias.asname.name, cst.Name)
        return alias.asname.name.value
    return _dotted(alias.name).split(".")[0]


def _dotted(node: "cst.BaseExpression") -> str:
    import libcst as cst

    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _is_mapped_column(statement: "cst.CSTNode") -> bool:
    """``x: Mapped[...] = ...``: a column or relationship declared the SQLAlchemy 2 way."""
    import libcst as cst

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.AnnAssign) or small.value is None:
        return False
    annotation = small.annotation.annotation
    return (
        isinstance(annotation, cst.Subscript)
        and _dotted(annotation.value).split(".")[-1] == "Mapped"
    )


def _is_our_relationship(statement: "cst.CSTNode", back_populates: str) -> bool:
    """An assignment of ``relationship(..., back_populates="<back_populates>", ...)``."""
    import libcst as cst

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Assign | cst.AnnAssign) or not isinstance(small.value, cst.Call):
        return False
    call = small.value
    if _dotted(call.func).split(".")[-1] != "relationship":
        return False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "back_populates":
            value = arg.value
            return isinstance(value, cst.SimpleString) and value.evaluated_value == back_populates
    return False


def _annotation_names(line: "cst.SimpleStatementLine") -> set[str]:
    """The names an annotated assignment's annotation refers to, quoted ones included."""
    import libcst as cst
    import libcst.matchers as m

    assignment = line.body[0]
    assert isinstance(assignment, cst.AnnAssign)
    expressions: list[cst.CSTNode] = [assignment.annotation]
    for node in m.findall(assignment.annotation, m.SimpleString()):
        assert isinstance(node, cst.SimpleString)
        expressions.append(cst.parse_expression(str(node.evaluated_value)))
    return {
        name.value
        for expression in expressions
        for name in m.findall(expression, m.Name())
        if isinstance(name, cst.Name)
    }


def _postpones_annotations(module: "cst.Module") -> bool:
    """Whether the module has ``from __future__ import annotations``."""
    import libcst as cst
    import libcst.matchers as m

    future = m.ImportFrom(module=m.Name("__future__"))
    return any(
        isinstance(alias, cst.ImportAlias) and _dotted(alias.name) == "annotations"
        for line in module.body
        if isinstance(line, cst.SimpleStatementLine)
        for node in line.body
        if m.matches(node, future)
        and isinstance(node, cst.ImportFrom)
        and not isinstance(node.names, cst.ImportStar)
        for alias in node.names
    )


def _unquoted(line: "cst.SimpleStatementLine") -> "cst.SimpleStatementLine":
    """``line``, an annotated assignment, with the strings in its annotation unquoted."""
    import libcst as cst
    import libcst.matchers as m

    def unquote(node: cst.CSTNode, _: object) -> cst.CSTNode:
        assert isinstance(node, cst.SimpleString)
        return cst.parse_expression(str(node.evaluated_value))

    assignment = line.body[0]
    assert isinstance(assignment, cst.AnnAssign)
    annotation = m.replace(assignment.annotation, m.SimpleString(), unquote)
    assert isinstance(annotation, cst.Annotation)
    return line.with_changes(body=[assignment.with_changes(annotation=annotation)])


# -- imports -------------------------------------------------------------------------------


def _ensure_imports(module: "cst.Module", edit: ClassEdit) -> "cst.Module":
    import libcst as cst

    package = PurePosixPath(edit.module).parts[1]
    needed = _wanted(edit.imports)
    typing_only = [
        wanted
        for wanted in _wanted(edit.type_checking)
        if not _imported(module.body, wanted, type_checking=True)
    ]
    needed = [wanted for wanted in needed if wanted[1:] != ("typing", "TYPE_CHECKING")]
    for wanted in typing_only:
        _check_free(
            module.body,
            wanted,
            edit,
            hint=f"choose another name for the new model, or {edit.alternative}",
        )
    if typing_only:
        block_index = _type_checking_block(module, edit)
        if block_index is None:
            needed.append(("stdlib", "typing", "TYPE_CHECKING"))
            module = _add_type_checking_block(module, typing_only, package)
        else:
            block = module.body[block_index]
            assert isinstance(block, cst.If)
            assert isinstance(block.body, cst.IndentedBlock)
            if _dotted(block.test) == "TYPE_CHECKING":
                needed.append(("stdlib", "typing", "TYPE_CHECKING"))
            statements: list[cst.BaseStatement] = list(block.body.body)
            for wanted in typing_only:
                statements = _add_import(module, statements, wanted, package, indent=4)
            block = block.with_changes(body=block.body.with_changes(body=statements))
            module = module.with_changes(
                body=[*module.body[:block_index], block, *module.body[block_index + 1 :]]
            )
    body: list[cst.BaseStatement] = list(module.body)
    for wanted in needed:
        if not _imported(body, wanted, type_checking=False):
            _check_free(body, wanted, edit)
            body = _add_import(module, body, wanted, package, indent=0)
    return module.with_changes(body=body)


def _wanted(imports: Imports) -> list[tuple[str, str, str]]:
    """``(group, module, name)`` per ``from module import name``; ``name`` "" for ``import``."""
    wanted = [(group, m, "") for group, modules in imports.modules.items() for m in modules]
    wanted += [(g, m, name) for (g, m), names in imports.names.items() for name in names]
    return sorted(wanted)


def _import_nodes(
    statements: Sequence["cst.CSTNode"], *, type_checking: bool
) -> list["cst.Import | cst.ImportFrom"]:
    """The import statements among ``statements``, and (``type_checking``) in its blocks."""
    import libcst as cst

    nodes: list[cst.Import | cst.ImportFrom] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            nodes += [s for s in statement.body if isinstance(s, cst.Import | cst.ImportFrom)]
        elif (
            type_checking
            and isinstance(statement, cst.If)
            and _dotted(statement.test).endswith("TYPE_CHECKING")
        ):
            nodes += _import_nodes(statement.body.body, type_checking=False)
    return nodes


def _imported(
    statements: Sequence["cst.CSTNode"], wanted: tuple[str, str, str], *, type_checking: bool
) -> bool:
    """Whether ``wanted`` is imported at run time (or, ``type_checking``, for the checker)."""
    import libcst as cst

    _, module_name, name = wanted
    for node in _import_nodes(statements, type_checking=type_checking):
        if isinstance(node.names, cst.ImportStar):
            continue
        for alias in node.names:
            if alias.asname is not None:
                continue
            if isinstance(node, cst.Import) and not name and _dotted(alias.name) == module_name:
                return True
            if (
                isinstance(node, cst.ImportFrom)
                and name
                and not node.relative
                and node.module is not None
                and _dotted(node.module) == module_name
                and _dotted(alias.name) == name
            ):
                return True
    return False


def _check_free(
    statements: Sequence["cst.CSTNode"],
    wanted: tuple[str, str, str],
    edit: ClassEdit,
    hint: str | None = None,
) -> None:
    """Refuse to import a name the module already binds to something else."""
    name = wanted[2] or wanted[1].split(".")[0]
    if any(name in _bound_names(statement) for statement in statements):
        raise ModelEditError(
            f"cannot add {edit.class_name}.{edit.attribute}: {edit.module} already binds "
            f"{name!r} to something else than {wanted[1]}",
            hint=hint or f"import {name} from {wanted[1]} there, or {edit.alternative}",
        )


def _type_checking_block(module: "cst.Module", edit: ClassEdit) -> int | None:
    import libcst as cst

    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.If) and _dotted(statement.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            if not isinstance(statement.body, cst.IndentedBlock) or statement.orelse is not None:
                raise ModelEditError(
                    f"cannot add {edit.class_name}.{edit.attribute}: the "
                    f"`if TYPE_CHECKING:` block of {edit.module} is not a plain block",
                    hint=f"write its imports on lines of their own, or {edit.alternative}",
                )
            return index
    return None


def _add_type_checking_block(
    module: "cst.Module", wanted: Sequence[tuple[str, str, str]], package: str
) -> "cst.Module":
    """A new ``if TYPE_CHECKING:`` block right after the last import of the module's header."""
    import libcst as cst

    block = cst.parse_statement("if TYPE_CHECKING:\n    pass\n")
    assert isinstance(block, cst.If)
    assert isinstance(block.body, cst.IndentedBlock)
    statements: list[cst.BaseStatement] = []
    for item in wanted:
        statements = _add_import(module, statements, item, package, indent=4)
    block = block.with_changes(
        body=block.body.with_changes(body=statements), leading_lines=[cst.EmptyLine(indent=False)]
    )
    body = list(module.body)
    header = _header(body)
    at = header[-1] + 1 if header else _after_docstring(body)
    if at < len(body):
        following = body[at]
        if isinstance(following, cst.ClassDef | cst.FunctionDef):
            lines = list(following.leading_lines)
            blank = next((i for i, line in enumerate(lines) if line.comment), len(lines))
            if blank < 2:
                lines[:blank] = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
                body[at] = following.with_changes(leading_lines=lines)
    if not header and at == 0:
        block = block.with_changes(leading_lines=[])
    body.insert(at, block)
    return module.with_changes(body=body)


def _header(statements: Sequence["cst.CSTNode"]) -> list[int]:
    """The indexes of the first run of import statements (the module's import block)."""
    import libcst as cst

    indexes: list[int] = []
    for index, statement in enumerate(statements):
        is_import = isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
        )
        if is_import:
            indexes.append(index)
        elif indexes:
            break
    return indexes


def _after_docstring(statements: Sequence["cst.CSTNode"]) -> int:
    import libcst as cst

    first = statements[0] if statements else None
    if (
        isinstance(first, cst.SimpleStatementLine)
        and isinstance(first.body[0], cst.Expr)
        and isinstance(first.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    ):
        return 1
    return 0


def _section(node: "cst.Import | cst.ImportFrom", package: str) -> int:
    import libcst as cst

    if isinstance(node, cst.ImportFrom):
        if node.relative:
            return _SECTIONS.index("local")
        assert node.module is not None
        name = _dotted(node.module)
    else:
        name = _dotted(node.names[0].name)
    return _section_of(name, package)


def _section_of(name: str, package: str) -> int:
    top = name.split(".")[0]
    if top == "__future__":
        return _SECTIONS.index("future")
    if top in {package, "tests"}:
        return _SECTIONS.index("first")
    if top in sys.stdlib_module_names:
        return _SECTIONS.index("stdlib")
    return _SECTIONS.index("third")


def _order(node: "cst.Import | cst.ImportFrom") -> tuple[int, tuple[str, str], int]:
    """Where a statement sorts within its section: ``import``s, then ``from``s, by module."""
    import libcst as cst

    if isinstance(node, cst.ImportFrom):
        aliased = not isinstance(node.names, cst.ImportStar) and any(
            alias.asname is not None for alias in node.names
        )
        dots = "." * len(node.relative)
        module = dots + (_dotted(node.module) if node.module is not None else "")
        return 1, _module_key(module), int(aliased)
    return 0, _module_key(_dotted(node.names[0].name)), 0


def _add_import(
    module: "cst.Module",
    statements: Sequence["cst.BaseStatement"],
    wanted: tuple[str, str, str],
    package: str,
    *,
    indent: int,
) -> list["cst.BaseStatement"]:
    """``statements`` with ``wanted`` merged into its ``from`` import or as a new statement."""
    import libcst as cst

    group, module_name, name = wanted
    statements = list(statements)
    header = _header(statements)
    if name:
        for index in header:
            line = statements[index]
            assert isinstance(line, cst.SimpleStatementLine)
            node = line.body[0]
            if (
                len(line.body) == 1
                and isinstance(node, cst.ImportFrom)
                and not node.relative
                and node.module is not None
                and _dotted(node.module) == module_name
                and not isinstance(node.names, cst.ImportStar)
                and all(alias.asname is None for alias in node.names)
            ):
                statements[index] = line.with_changes(body=[_merged(module, node, name, indent)])
                return statements
    if name:
        text = _from_text(module_name, [name], indent, exploded=False)
    else:
        text = f"import {module_name}"
    new = cst.parse_statement(text + "\n")
    assert isinstance(new, cst.SimpleStatementLine)
    new_node = new.body[0]
    assert isinstance(new_node, cst.Import | cst.ImportFrom)
    section = _SECTIONS.index(group)
    key = (section, _order(new_node))
    keys = []
    for index in header:
        line = statements[index]
        assert isinstance(line, cst.SimpleStatementLine)
        node = line.body[0]
        assert isinstance(node, cst.Import | cst.ImportFrom)
        keys.append((index, (_section(node, package), _order(node))))
    later = [(index, k) for index, k in keys if k > key]
    if not keys:
        at = _after_docstring(statements)
        leading = [cst.EmptyLine(indent=False)] if at else []
        statements.insert(at, new.with_changes(leading_lines=leading))
        return statements
    if later:
        at, next_key = later[0]
        following = statements[at]
        assert isinstance(following, cst.SimpleStatementLine)
        lines = list(following.leading_lines)
        blank = next((i for i, line in enumerate(lines) if line.comment), len(lines))
        if next_key[0] == section:
            new = new.with_changes(leading_lines=lines[:blank])
            following = following.with_changes(leading_lines=lines[blank:])
        elif at == keys[0][0] or keys[keys.index((at, next_key)) - 1][1][0] != section:
            # The first statement of a new section: blank lines as the next section had.
            new = new.with_changes(leading_lines=lines[:blank])
            following = following.with_changes(
                leading_lines=[cst.EmptyLine(indent=False), *lines[blank:]]
            )
        else:
            new = new.with_changes(leading_lines=[])
        statements[at] = following
        statements.insert(at, new)
        return statements
    last_index, last_key = keys[-1]
    leading = [] if last_key[0] == section else [cst.EmptyLine(indent=False)]
    statements.insert(last_index + 1, new.with_changes(leading_lines=leading))
    return statements


def _merged(
    module: "cst.Module", node: "cst.ImportFrom", name: str, indent: int
) -> "cst.ImportFrom":
    """``from m import ...`` with ``name`` added, laid out as ruff's isort lays it out."""
    import libcst as cst

    assert node.module is not None
    assert not isinstance(node.names, cst.ImportStar)
    if "#" in module.code_for_node(node):
        exploded = _one_per_line(node)
        if exploded is not None:
            return _inserted(exploded, name)
        raise ModelEditError(
            f"cannot add {name} to an import of {_dotted(node.module)} that holds comments",
            hint=f"import {name} from {_dotted(node.module)} by hand, or add :noinverse",
        )
    names = [_dotted(alias.name) for alias in node.names]
    last = node.names[-1]
    magic_comma = node.lpar is not None and isinstance(last.comma, cst.Comma)
    text = _from_text(_dotted(node.module), [*names, name], indent, exploded=magic_comma)
    merged = cst.parse_statement(text + "\n")
    assert isinstance(merged, cst.SimpleStatementLine)
    result = merged.body[0]
    assert isinstance(result, cst.ImportFrom)
    return result


def _one_per_line(node: "cst.ImportFrom") -> "cst.ImportFrom | None":
    """``node`` if it is parenthesized, one name a line, each with its comma; else ``None``."""
    import libcst as cst

    if (
        node.lpar is None
        or isinstance(node.names, cst.ImportStar)
        or not isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        return None
    for alias in node.names:
        if not isinstance(alias.comma, cst.Comma) or not isinstance(
            alias.comma.whitespace_after, cst.ParenthesizedWhitespace
        ):
            return None
    return node


def _inserted(node: "cst.ImportFrom", name: str) -> "cst.ImportFrom":
    """One name a line: ``name`` in its sorted place, every comment where it was.

    The whitespace after the opening parenthesis or a comma holds the comment at the end
    of that line and the comment lines before the next name (or the closing parenthesis):
    the new name takes over the comment lines before the name it goes in front of.
    """
    import libcst as cst

    assert node.lpar is not None
    assert not isinstance(node.names, cst.ImportStar)
    opening = node.lpar.whitespace_after
    assert isinstance(opening, cst.ParenthesizedWhitespace)
    indent = opening.last_line
    aliases = list(node.names)
    keys = [_member_key(_dotted(alias.name)) for alias in aliases]
    at = next((i for i, key in enumerate(keys) if key > _member_key(name)), len(aliases))
    new = cst.ImportAlias(name=cst.Name(name))
    if at == len(aliases):
        last = aliases[-1]
        after = _after_comma(last)
        aliases[-1] = _with_after(last, after.with_changes(empty_lines=[], last_line=indent))
        aliases.append(_with_after(new, after.with_changes(first_line=cst.TrailingWhitespace())))
        return node.with_changes(names=aliases)
    before = _after_comma(aliases[at - 1]) if at else opening
    to_next = before.with_changes(first_line=cst.TrailingWhitespace(), last_line=indent)
    aliases.insert(at, _with_after(new, to_next))
    if at:
        aliases[at - 1] = _with_after(aliases[at - 1], before.with_changes(empty_lines=[]))
        return node.with_changes(names=aliases)
    lpar = node.lpar.with_changes(whitespace_after=opening.with_changes(empty_lines=[]))
    return node.with_changes(names=aliases, lpar=lpar)


def _after_comma(alias: "cst.ImportAlias") -> "cst.ParenthesizedWhitespace":
    import libcst as cst

    assert isinstance(alias.comma, cst.Comma)
    assert isinstance(alias.comma.whitespace_after, cst.ParenthesizedWhitespace)
    return alias.comma.whitespace_after


def _with_after(
    alias: "cst.ImportAlias", after: "cst.ParenthesizedWhitespace"
) -> "cst.ImportAlias":
    import libcst as cst

    return alias.with_changes(comma=cst.Comma(whitespace_after=after))


def _from_text(module: str, names: Sequence[str], indent: int, *, exploded: bool) -> str:
    ordered = sorted(set(names), key=_member_key)
    line = f"from {module} import {', '.join(ordered)}"
    if not exploded and indent + len(line) <= LINE_LENGTH:
        return line
    members = "".join(f"    {name},\n" for name in ordered)
    return f"from {module} import (\n{members})"


# -- a mixin added to a class's bases (``add-mixin``) --------------------------------------


@dataclass(frozen=True)
class BaseEdit:
    """One mixin to add to the bases of a model class of the project."""

    #: The model module, ``src/<package>/models/<module>.py``.
    module: str
    class_name: str
    #: The mixin class, imported from ``import_from`` (``<package>.db.mixins``).
    mixin: str
    import_from: str
    #: The bases it goes in front of, the first of them the class has: the mixins after it
    #: in the registry's order, then ``Base``.
    before: tuple[str, ...]
    #: Soft delete: the table, whose ``unique=True`` columns become unique indexes over
    #: live rows (``__table_args__ = (unique_while_live(...),)``); ``None`` otherwise.
    live_unique_table: str | None = None


class AlreadyThereError(ModelEditError):
    """The class has the mixin already."""


def class_bases(source: str, class_name: str) -> list[str]:
    """The names of a top-level class's bases (dotted), ``[]`` without such a class."""
    import libcst as cst

    module = parse_module(source, "a model module")
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
            return [_dotted(arg.value).split(".")[-1] for arg in statement.bases]
    return []


def apply_base_edits(source: str, edits: Sequence[BaseEdit]) -> str:
    """``source`` with each edit's mixin among its class's bases, imported at the top.

    A class that has the mixin already is an :class:`AlreadyThereError`; a class whose
    header or columns cannot be rewritten safely is a :class:`ModelEditError`. Only the
    class statement's header, the columns it changes, its ``__table_args__`` and the
    import lines change.
    """

    for edit in edits:
        module = parse_module(source, f"{edit.module} (adding {edit.mixin} to {edit.class_name})")
        module, live_unique = _add_base(module, edit)
        imports = Imports()
        imports.add("first", edit.import_from, edit.mixin)
        if live_unique:
            imports.add("first", edit.import_from, "unique_while_live")
        marker = ClassEdit(edit.module, edit.class_name, edit.mixin, "", "", imports, Imports())
        try:
            source = _ensure_imports(module, marker).code
        except ModelEditError as error:
            # said as add-model says it of an inverse; here the "attribute" is the mixin
            message = error.message.replace(
                f"{edit.class_name}.{edit.mixin}", f"{edit.mixin} to {edit.class_name}"
            )
            hint = error.hint.replace(", or add :noinverse", "").replace(" or add :noinverse", "")
            raise ModelEditError(message, hint=hint) from None
    return source


def _add_base(module: "cst.Module", edit: BaseEdit) -> tuple["cst.Module", bool]:
    import libcst as cst

    what = f"cannot add {edit.mixin} to {edit.class_name}"
    classes = [
        (index, statement)
        for index, statement in enumerate(module.body)
        if isinstance(statement, cst.ClassDef) and statement.name.value == edit.class_name
    ]
    if len(classes) != 1:
        raise ModelEditError(
            f"{what}: {edit.module} has no single top-level `class {edit.class_name}(...)`",
            hint="define the class with a plain class statement",
        )
    index, class_def = classes[0]
    names = [_dotted(arg.value) for arg in class_def.bases]
    if edit.mixin in {name.split(".")[-1] for name in names}:
        raise AlreadyThereError(f"{edit.class_name} already has {edit.mixin}")
    header = module.code_for_node(
        class_def.with_changes(body=cst.SimpleStatementSuite([]), leading_lines=[])
    )
    plain = all(
        name and arg.keyword is None and not arg.star
        for name, arg in zip(names, class_def.bases, strict=True)
    )
    if not plain or class_def.keywords or "#" in header or class_def.decorators:
        raise ModelEditError(
            f"{what}: the class statement in {edit.module} is not a plain list of base names",
            hint=f"add {edit.mixin} to its bases by hand",
        )
    at = next((i for i, name in enumerate(names) if name.split(".")[-1] in edit.before), None)
    if at is None:
        raise ModelEditError(
            f"{what}: {edit.module} does not derive it from Base",
            hint=f"add {edit.mixin} to its bases by hand",
        )
    names.insert(at, edit.mixin)
    exploded = isinstance(class_def.bases[-1].comma, cst.Comma)
    items = bracketed(f"class {edit.class_name}(", names, "):")
    if exploded and not items.startswith("\n"):
        items = "\n" + "".join(f"    {name},\n" for name in names)
    parsed = cst.parse_statement(f"class {edit.class_name}({items}):\n    pass\n")
    assert isinstance(parsed, cst.ClassDef)
    class_def = class_def.with_changes(
        bases=parsed.bases,
        lpar=parsed.lpar,
        rpar=parsed.rpar,
        whitespace_after_name=parsed.whitespace_after_name,
        whitespace_before_colon=parsed.whitespace_before_colon,
    )
    live_unique = False
    if edit.live_unique_table is not None:
        class_def, live_unique = _unique_while_live(module, class_def, edit)
    body = [*module.body[:index], class_def, *module.body[index + 1 :]]
    return module.with_changes(body=body), live_unique


def _unique_while_live(
    module: "cst.Module", class_def: "cst.ClassDef", edit: BaseEdit
) -> tuple["cst.ClassDef", bool]:
    """Its ``unique=True`` columns turned into unique indexes over live rows, as
    ``add-model`` writes a soft-deleted model's: ``__table_args__`` after ``__tablename__``
    and, for a foreign key, ``index=True`` in place of ``unique=True``."""
    import libcst as cst

    from dbscaffold.plan import _table_args

    assert edit.live_unique_table is not None
    what = f"cannot add {edit.mixin} to {edit.class_name}"
    body = class_def.body
    if not isinstance(body, cst.IndentedBlock):
        raise ModelEditError(
            f"{what}: the class body in {edit.module} is on the class line",
            hint="write the body on lines of its own",
        )
    statements = list(body.body)
    columns: list[str] = []
    for position, statement in enumerate(statements):
        call = _mapped_column_call(statement)
        if call is None:
            continue
        unique = [
            arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "unique"
        ]
        if not unique:
            continue
        if len(unique) != 1 or _dotted(unique[0].value) != "True":
            raise ModelEditError(
                f"{what}: a column's `unique=` in {edit.module} is not `unique=True`",
                hint="make its uniqueness a unique_while_live(...) index by hand first",
            )
        assert isinstance(statement, cst.SimpleStatementLine)
        assignment = statement.body[0]
        assert isinstance(assignment, cst.AnnAssign)
        assert isinstance(assignment.target, cst.Name)
        text = module.code_for_node(assignment)
        if "#" in text:
            raise ModelEditError(
                f"{what}: the unique column {assignment.target.value} in {edit.module} holds "
                "a comment",
                hint="move the comment above the column first",
            )
        first = call.args[0].value if call.args and call.args[0].keyword is None else None
        name = (
            str(first.evaluated_value)
            if isinstance(first, cst.SimpleString)
            else assignment.target.value
        )
        columns.append(name)
        foreign = any(
            isinstance(arg.value, cst.Call) and _dotted(arg.value.func).endswith("ForeignKey")
            for arg in call.args
        )
        indexed = any(arg.keyword is not None and arg.keyword.value == "index" for arg in call.args)
        arguments = []
        for arg in call.args:
            if arg is unique[0]:
                if foreign and not indexed:
                    arguments.append("index=True")
                continue
            code = module.code_for_node(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            arguments.append(code.strip())
        before = (
            f"    {assignment.target.value}: "
            f"{module.code_for_node(assignment.annotation.annotation)} = "
            f"{module.code_for_node(call.func)}("
        )
        line = before + bracketed(before, arguments, ")") + ")"
        new = cst.parse_statement(textwrap.dedent(line) + "\n")
        statements[position] = new.with_changes(
            leading_lines=statement.leading_lines,
            trailing_whitespace=statement.trailing_whitespace,
        )
    if not columns:
        return class_def, False
    if any("__table_args__" in _bound_names(statement) for statement in statements):
        raise ModelEditError(
            f"{what}: {edit.class_name} has unique columns and a __table_args__ of its own "
            f"in {edit.module}",
            hint="make its unique columns unique_while_live(...) indexes by hand first",
        )
    table_name = next(
        (i for i, s in enumerate(statements) if "__tablename__" in _bound_names(s)), None
    )
    if table_name is None:
        raise ModelEditError(
            f"{what}: {edit.class_name} in {edit.module} has no __tablename__",
            hint="make its unique columns unique_while_live(...) indexes by hand first",
        )
    indexes = _table_args(edit.live_unique_table, columns)
    table_args = cst.parse_statement(textwrap.dedent(f"    __table_args__ = ({indexes})") + "\n")
    statements.insert(table_name + 1, table_args)
    return class_def.with_changes(body=body.with_changes(body=statements)), True


def _mapped_column_call(statement: "cst.CSTNode") -> "cst.Call | None":
    """The ``mapped_column(...)`` call a ``x: Mapped[...] = mapped_column(...)`` line makes."""
    import libcst as cst

    if not _is_mapped_column(statement):
        return None
    assert isinstance(statement, cst.SimpleStatementLine)
    assignment = statement.body[0]
    assert isinstance(assignment, cst.AnnAssign)
    value = assignment.value
    if (
        isinstance(value, cst.Call)
        and _dotted(value.func).split(".")[-1] == "mapped_column"
        and isinstance(assignment.target, cst.Name)
    ):
        return value
    return None
