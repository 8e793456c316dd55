"""Taking a field out of the modules the project has: ``remove-field``'s syntax-tree edits.

Pure functions from source text to source text (libcst, imported when called): what does
not mention the field keeps every byte, and an import is dropped only if the removal
left it unused.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbscaffold.edit_model import (
    ModelEditError,
    _bound_names,
    _dotted,
    _table_args_line,
    parse_module,
    referenced_names,
)

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class Removed:
    """What a prune took out, for the plan and its checks."""

    source: str
    #: The names of the statements (attributes, functions, classes) it removed.
    names: tuple[str, ...]


def remove_class_attributes(
    source: str, class_name: str, attributes: Iterable[str], *, where: str
) -> Removed:
    """``source`` without the statements of ``class_name``'s body binding ``attributes``,
    and without the ``unique_while_live(...)`` entries of its ``__table_args__`` on them."""
    import libcst as cst

    wanted = set(attributes)
    module = parse_module(source, where)
    index, class_def = _find_class(module, class_name, where)
    body = class_def.body
    assert isinstance(body, cst.IndentedBlock)
    kept: list[cst.BaseStatement] = []
    removed: list[str] = []
    for statement in body.body:
        names = _bound_names(statement)
        if names & wanted:
            removed += sorted(names & wanted)
            continue
        if "__table_args__" in names:
            trimmed = _without_table_args_on(statement, wanted, class_name, where)
            if trimmed is not None:
                kept.append(trimmed)
            continue
        kept.append(statement)
    if not kept:
        kept = [cst.SimpleStatementLine([cst.Pass()])]
    class_def = class_def.with_changes(body=body.with_changes(body=kept))
    module = module.with_changes(body=[*module.body[:index], class_def, *module.body[index + 1 :]])
    return Removed(_without_unused_imports(source, module), tuple(removed))


def remove_top_level(source: str, names: Iterable[str], *, where: str) -> Removed:
    """``source`` without its top-level statements binding ``names`` that nothing uses now
    (an enum class, an association table)."""
    import libcst as cst

    module = parse_module(source, where)
    wanted = set(names)
    pairs: list[tuple[cst.BaseStatement, cst.BaseStatement | None]] = []
    removed: list[str] = []
    for statement in module.body:
        bound = _bound_names(statement) & wanted
        others = [s for s in module.body if s is not statement]
        if bound and not (bound & _used_names(module.with_changes(body=others))):
            removed += sorted(bound)
            pairs.append((statement, None))
        else:
            pairs.append((statement, statement))
    module = module.with_changes(body=_joined(pairs))
    return Removed(_without_unused_imports(source, module), tuple(removed))


def remove_tests_of(
    source: str, field_names: Iterable[str], *, where: str, added: bool = False
) -> Removed:
    """A generated test module without what tests ``field_names`` (a field and its column).

    The factory's ``values`` entry and the ``for column in [...]`` item of the field go;
    every other function that mentions the field (as ``.name``, ``name=``, or ``"name"``)
    is one of its tests, and goes whole. In a module of ``added`` fields (add-field's), a
    test whose column loop is left empty was about them only: it goes too.
    """
    import libcst as cst

    wanted = set(field_names)
    module = parse_module(source, where)
    kept: list[cst.BaseStatement] = []
    removed: list[str] = []
    for statement in module.body:
        if not isinstance(statement, cst.FunctionDef) or not _mentions(statement, wanted):
            kept.append(statement)
            continue
        trimmed = _without_items_of(statement, wanted)
        emptied = added and _lost_its_column_loop(statement, trimmed)
        if _mentions(trimmed, wanted) or (
            _is_test(statement) and (trimmed is statement or emptied)
        ):
            removed.append(statement.name.value)
            continue
        kept.append(_without_unused_counter(trimmed))
    module = module.with_changes(body=kept)
    module = _without_unused_sequence(module)
    return Removed(_without_unused_imports(source, module), tuple(removed))


def has_tests(source: str) -> bool:
    """Whether a test module still defines a test function."""
    import libcst as cst

    module = cst.parse_module(source)
    return any(isinstance(s, cst.FunctionDef) and _is_test(s) for s in module.body)


# -- helpers ----------------------------------------------------------------------------------


def _find_class(module: "cst.Module", class_name: str, where: str) -> tuple[int, "cst.ClassDef"]:
    import libcst as cst

    found = [
        (index, statement)
        for index, statement in enumerate(module.body)
        if isinstance(statement, cst.ClassDef) and statement.name.value == class_name
    ]
    if len(found) != 1 or not isinstance(found[0][1].body, cst.IndentedBlock):
        raise ModelEditError(
            f"{where} has no top-level `class {class_name}(...)` statement with a body of"
            " its own lines",
            hint="remove the field by hand",
        )
    return found[0]


def _is_test(function: "cst.FunctionDef") -> bool:
    return function.name.value.startswith("test_")


def _mentions(node: "cst.CSTNode", names: set[str]) -> bool:
    """Whether ``node`` refers to one of ``names``: an attribute, a keyword, a string."""
    import libcst as cst
    import libcst.matchers as m

    for attribute in m.findall(node, m.Attribute()):
        assert isinstance(attribute, cst.Attribute)
        if attribute.attr.value in names:
            return True
    for argument in m.findall(node, m.Arg()):
        assert isinstance(argument, cst.Arg)
        if argument.keyword is not None and argument.keyword.value in names:
            return True
    for string in m.findall(node, m.SimpleString()):
        assert isinstance(string, cst.SimpleString)
        if string.evaluated_value in names:
            return True
    return False


def _without_items_of(function: "cst.FunctionDef", names: set[str]) -> "cst.FunctionDef":
    """``function`` without the ``"name": ...`` dict entries and ``"name"`` list items."""
    import libcst as cst
    import libcst.matchers as m

    def named(element: cst.CSTNode) -> bool:
        key = element.key if isinstance(element, cst.DictElement) else None
        value = key if key is not None else getattr(element, "value", None)
        return isinstance(value, cst.SimpleString) and value.evaluated_value in names

    def trim(node: cst.CSTNode, _: object) -> cst.CSTNode:
        assert isinstance(node, cst.Dict | cst.List)
        elements = [e for e in node.elements if not named(e)]
        return node.with_changes(elements=_fix_commas(elements, node.elements))

    trimmed = m.replace(function, m.Dict() | m.List(), trim)
    assert isinstance(trimmed, cst.FunctionDef)
    if trimmed.deep_equals(function):
        return function
    return _without_empty_column_loop(trimmed)


def _fix_commas(elements: list, original: "Iterable[object]") -> list:  # type: ignore[type-arg]
    """Keep the original's trailing-comma style: the last kept item ends as the last did."""
    import libcst as cst

    original = list(original)
    if not elements or not original:
        return elements
    last_original = original[-1]
    if elements[-1] is last_original:
        return elements
    comma = getattr(last_original, "comma", cst.MaybeSentinel.DEFAULT)
    elements[-1] = elements[-1].with_changes(comma=comma)
    return elements


def _lost_its_column_loop(before: "cst.FunctionDef", after: "cst.FunctionDef") -> bool:
    import libcst as cst
    import libcst.matchers as m

    def loops(function: cst.FunctionDef) -> int:
        return len(m.findall(function, m.For(iter=m.List())))

    return loops(after) < loops(before)


def _without_empty_column_loop(function: "cst.FunctionDef") -> "cst.FunctionDef":
    """Drop a ``for column in []:`` loop the trim emptied."""
    import libcst as cst

    body = function.body
    assert isinstance(body, cst.IndentedBlock)
    statements = [
        s
        for s in body.body
        if not (isinstance(s, cst.For) and isinstance(s.iter, cst.List) and not s.iter.elements)
    ]
    return function.with_changes(body=body.with_changes(body=statements))


def _without_unused_counter(function: "cst.FunctionDef") -> "cst.FunctionDef":
    """The factory without ``n = next(_sequence)`` once no value uses ``n``."""
    import libcst as cst
    import libcst.matchers as m

    body = function.body
    assert isinstance(body, cst.IndentedBlock)
    uses_n = [
        name
        for statement in body.body
        if "n" not in _bound_names(statement)
        for name in m.findall(statement, m.Name("n"))
    ]
    if uses_n:
        return function
    statements = [s for s in body.body if "n" not in _bound_names(s)]
    return function.with_changes(body=body.with_changes(body=statements))


def _without_unused_sequence(module: "cst.Module") -> "cst.Module":
    used = _used_names(module)
    if "_sequence" in used:
        return module
    return module.with_changes(body=[s for s in module.body if "_sequence" not in _bound_names(s)])


def _without_table_args_on(
    statement: "cst.BaseStatement", columns: set[str], class_name: str, where: str
) -> "cst.BaseStatement | None":
    """``__table_args__`` without its ``unique_while_live(name, column)`` entries on
    ``columns``; ``None`` if nothing is left. Anything else on them cannot be removed."""
    import libcst as cst

    assert isinstance(statement, cst.SimpleStatementLine)
    assignment = statement.body[0]
    if not isinstance(assignment, cst.Assign) or not isinstance(assignment.value, cst.Tuple):
        if _mentions(statement, columns):
            raise _table_args_error(class_name, where)
        return statement
    elements = []
    for element in assignment.value.elements:
        if not _mentions(element, columns):
            elements.append(element)
            continue
        value = element.value
        is_ours = (
            isinstance(value, cst.Call)
            and _dotted(value.func) == "unique_while_live"
            and len(value.args) == 2
        )
        if not is_ours:
            raise _table_args_error(class_name, where)
    if not elements:
        return None
    if len(elements) == len(assignment.value.elements):
        return statement
    codes = [cst.Module([]).code_for_node(e.value) for e in elements]
    if any("\n" in code for code in codes):  # laid out by hand: keep its layout
        elements[-1] = elements[-1].with_changes(comma=cst.Comma())
        value = assignment.value.with_changes(elements=elements)
        return statement.with_changes(body=[assignment.with_changes(value=value)])
    # as add-field lays it out; a one-element tuple's comma is no magic trailing comma
    exploded = len(codes) > 1 and "\n" in cst.Module([]).code_for_node(assignment.value)
    line = _table_args_line(codes, exploded=exploded)
    return line.with_changes(leading_lines=statement.leading_lines)


def _table_args_error(class_name: str, where: str) -> ModelEditError:
    return ModelEditError(
        f"{class_name}.__table_args__ in {where} uses the field in something else than a"
        " unique_while_live(...) of its own",
        hint="take it out of __table_args__ by hand first",
    )


def _used_names(module: "cst.Module") -> set[str]:
    """The names the module refers to outside its imports, names in quotes included."""
    import libcst as cst

    used: set[str] = set()
    for statement in module.body:
        if _is_type_checking_block(statement):
            assert isinstance(statement, cst.If)
            used |= referenced_names(statement.test)
        elif not _is_import_line(statement):
            used |= referenced_names(statement)
    return used


def _is_import_line(statement: "cst.CSTNode") -> bool:
    import libcst as cst

    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in statement.body
    )


def _is_type_checking_block(statement: "cst.CSTNode") -> bool:
    import libcst as cst

    return isinstance(statement, cst.If) and _dotted(statement.test).endswith("TYPE_CHECKING")


def _without_unused_imports(before_source: str, module: "cst.Module") -> str:
    """``module`` without the imported names it used in ``before_source`` and uses no more."""
    import libcst as cst

    lost = _used_names(cst.parse_module(before_source)) - _used_names(module)
    for _ in range(2):  # emptying the TYPE_CHECKING block frees TYPE_CHECKING itself
        module = module.with_changes(body=_pruned(module.body, lost))
        lost |= {"TYPE_CHECKING"} - _used_names(module)
    return module.code


def _pruned(
    statements: "Iterable[cst.BaseStatement]", lost: set[str], indent: int = 0
) -> "list[cst.BaseStatement]":
    return _joined([(s, _pruned_one(s, lost, indent)) for s in statements])


def _pruned_one(
    statement: "cst.BaseStatement", lost: set[str], indent: int
) -> "cst.BaseStatement | None":
    """``statement`` without its imports of ``lost`` names; ``None`` if nothing is left."""
    import libcst as cst

    if _is_type_checking_block(statement):
        assert isinstance(statement, cst.If)
        assert isinstance(statement.body, cst.IndentedBlock)
        inner = _pruned(statement.body.body, lost, indent + 4)
        return (
            statement.with_changes(body=statement.body.with_changes(body=inner)) if inner else None
        )
    if not _is_import_line(statement):
        return statement
    assert isinstance(statement, cst.SimpleStatementLine)
    node = statement.body[0]
    if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        aliases = [a for a in node.names if _alias_name(a) not in lost]
        if not aliases:
            return None
        if len(aliases) != len(node.names):
            return statement.with_changes(body=[_reflowed(node, aliases, indent)])
    elif isinstance(node, cst.Import) and all(_alias_name(a) in lost for a in node.names):
        return None
    return statement


def _joined(
    pairs: "Sequence[tuple[cst.BaseStatement, cst.BaseStatement | None]]",
) -> "list[cst.BaseStatement]":
    """The kept statements of ``(statement, kept or None)`` pairs. One that follows removed
    ones takes over the first removed one's leading lines if it has none of its own (the
    blank line that opened an import section)."""
    result = []
    carried = None
    for original, kept in pairs:
        if kept is None:
            if not carried:
                carried = getattr(original, "leading_lines", ())
            continue
        if carried and not getattr(kept, "leading_lines", ()):
            kept = kept.with_changes(leading_lines=carried)
        carried = None
        result.append(kept)
    return result


def _alias_name(alias: "cst.ImportAlias") -> str:
    from dbscaffold.edit_model import _bound_name

    return _bound_name(alias)


def _reflowed(
    node: "cst.ImportFrom", aliases: list["cst.ImportAlias"], indent: int
) -> "cst.ImportFrom":
    """``from m import ...`` with only ``aliases``, laid out as ruff's isort lays it out
    (one name per line stays so: the magic trailing comma)."""
    import libcst as cst

    from dbscaffold.edit_model import _from_text

    assert node.module is not None
    assert not isinstance(node.names, cst.ImportStar)
    names = [_dotted(alias.name) for alias in aliases]
    exploded = node.lpar is not None and isinstance(node.names[-1].comma, cst.Comma)
    text = _from_text(_dotted(node.module), names, indent, exploded=exploded)
    reflowed = cst.parse_statement(text + "\n")
    assert isinstance(reflowed, cst.SimpleStatementLine)
    result = reflowed.body[0]
    assert isinstance(result, cst.ImportFrom)
    return result
