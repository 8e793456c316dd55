"""The add-model field syntax: examples, every error, and property-based sweeps.

The grammar's Hypothesis strategies live here; tests/test_grammar_property.py draws whole
add-model calls from them and runs them end to end.
"""

import ast
import json
import keyword
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbscaffold.errors import DbscaffoldError
from dbscaffold.field_types import FIELD_TYPES, FieldType
from dbscaffold.fields import (
    MIXIN_COLUMNS,
    MODIFIERS,
    NO_INVERSE,
    ON_DELETE,
    RESERVED_NAMES,
    SHADOWING_NAMES,
    TYPES,
    FieldSpec,
    FieldSpecError,
    check_model_name,
    parse_field,
    parse_fields,
    table_name,
)
from dbscaffold.literals import python_literal
from dbscaffold.plan import MAX_DEFAULT_LENGTH
from dbscaffold.registry import MIXIN_METHODS

# -- the grammar as strategies: valid arguments are built from the parser's own tables
# (TYPES, MODIFIERS, ON_DELETE) and name rules, so a new type or modifier is drawn without
# editing them; only a new type's defaults need a strategy in valid_default().
# tests/test_grammar_property.py draws its add-model calls from them too.

#: Modifiers every type takes (the rest are ON DELETE actions, for refs only).
PLAIN_MODIFIERS = tuple(m for m in MODIFIERS if m not in ON_DELETE and m != NO_INVERSE)
#: The types that point at a model (``ref``, ``many``).
RELATIONS = tuple(name for name, field_type in FIELD_TYPES.items() if field_type.relation)

#: Names that generated code uses itself, so a collision would show.
#: (those the parser refuses, like str or self, are filtered out by its own rules).
TRICKY_FIELD_NAMES = (
    "order",
    "group",
    "select",
    "user",
    "table",
    "key",
    "value",
    "name",
    "type",
    "self",
    "session",
    "repository",
    "model",
    "first",
    "second",
    "target",
    "loaded",
    "values",
    "n",
    "overrides",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "dict",
    "date",
    "datetime",
    "uuid",
    "enum",
    "mapped_column",
    "relationship",
    "postgresql",
    "pytest",
    "update",
)


def _is_field_name(name: str) -> bool:
    """The parser's own rule: ``name`` alone is a valid field."""
    try:
        return parse_field(name).name == name
    except FieldSpecError:
        return False


def _is_enum_value(value: str) -> bool:
    if value in MODIFIERS:
        return False  # it would read as a modifier
    try:
        return parse_field(f"x:enum:{value}").enum_values == (value,)
    except FieldSpecError:
        return False


#: Identifiers are kept short (field names up to 16 characters, model names up to 15):
#: the generated tests do not yet lay out lines for long names (see the report).
field_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
    st.sampled_from(TRICKY_FIELD_NAMES),
).filter(_is_field_name)
enum_values = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True).filter(_is_enum_value)

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_aware = st.datetimes(
    timezones=st.builds(
        timezone, st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))
    )
)


@st.composite
def _decimal_default(draw: st.DrawFn, precision: int, scale: int) -> str:
    places = draw(st.integers(0, scale))
    digits = str(draw(st.integers(0, 10 ** (precision - scale + places) - 1)))
    digits = digits.rjust(places + 1, "0")
    sign = draw(st.sampled_from(["", "-"]))
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def _fits_a_line(text: str, kind: str) -> bool:
    """The default's Python code is at most MAX_DEFAULT_LENGTH (longer ones are refused)."""
    value: object = json.loads(text) if kind == "json" else text
    wrapper = {"json": len("lambda: "), "decimal": len('Decimal("")')}.get(kind, 0)
    return wrapper + len(python_literal(value)) <= MAX_DEFAULT_LENGTH


def valid_default(
    kind: str, length: int | None, sizes: tuple[int, int], values: list[str]
) -> st.SearchStrategy[str] | None:
    """A strategy for the text of a valid default, or None if ``kind`` takes none."""
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
    strategies: dict[str, st.SearchStrategy[str]] = {
        "str": text.map(lambda s: s[: length or 255]),
        "text": text,
        "int": st.integers(-(2**31), 2**31 - 1).map(str),
        "bigint": st.integers(-(2**63), 2**63 - 1).map(str),
        "float": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "decimal": _decimal_default(*sizes),
        "bool": st.sampled_from(["true", "false", "TRUE", "False"]),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime": _aware.map(lambda d: d.isoformat()),
        "uuid": st.uuids().map(str),
        "json": st.dictionaries(st.text(max_size=5), _json, max_size=3).map(json.dumps),
        "enum": st.sampled_from(values) if values else st.nothing(),
    }
    if kind in {"str", "text", "json", "decimal"}:
        return strategies[kind].filter(lambda text: _fits_a_line(text, kind))
    return strategies.get(kind)


@st.composite
def field_argument(draw: st.DrawFn, name: str, targets: list[tuple[str, bool]]) -> str:
    """One valid field argument called ``name``; ``targets``: (ref token, is self)."""
    # A many-to-many to the model itself is refused: many needs another target.
    pools = {"ref": targets, "many": [t for t in targets if not t[1]]}
    # (an enum called repository would take the repository class's name: refused)
    kinds = [k for k in TYPES if pools.get(k, True) and (k, name) != ("enum", "repository")]
    kind = draw(st.sampled_from(kinds))
    type_token, tail, length, sizes = kind, [], None, (0, 0)
    must_be_nullable = False
    if kind == "str":
        length = draw(st.none() | st.integers(1, 300))
        type_token = draw(st.sampled_from(["", "str"])) if length is None else f"str{{{length}}}"
    elif kind == "decimal":
        precision = draw(st.integers(1, 30) | st.just(1000))
        scale = draw(st.integers(0, min(precision, 30)))
        sizes = (precision, scale)
        type_token = f"decimal{{{precision}{draw(st.sampled_from('.,'))}{scale}}}"
    elif kind == "enum":
        tail = draw(st.lists(enum_values, min_size=1, max_size=4, unique=True))
    inverse = None
    if kind in RELATIONS:
        target, must_be_nullable = draw(st.sampled_from(pools[kind]))
        inverse = draw(st.sampled_from(["default", "named", "none"]))
        # longer than any drawn field name, so no field of the model itself has it
        tail = [f"{target}.{name}_inverse_side" if inverse == "named" else target]
    nullable = kind != "many" and (must_be_nullable or draw(st.booleans()))
    modifiers = (
        [] if kind == "many" else draw(st.lists(st.sampled_from(PLAIN_MODIFIERS), max_size=2))
    )
    if inverse == "none":
        modifiers.append(NO_INVERSE)
    if kind == "ref":
        on_delete = draw(st.sampled_from([None, *ON_DELETE]))
        if on_delete and (nullable or ON_DELETE[on_delete] != "SET NULL"):
            modifiers.append(on_delete)
    if not type_token and modifiers:
        type_token = "str"
    default = valid_default(kind, length, sizes, tail if kind == "enum" else [])
    argument = name + (f":{type_token}" if type_token else "")
    argument += "".join(f":{t}" for t in tail) + ("?" if nullable else "")
    argument += "".join(f":{m}" for m in draw(st.permutations(modifiers)))
    if default is not None and "unique" not in modifiers and draw(st.booleans()):
        argument += "=" + draw(default)
    return argument


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("title", FieldSpec("title", "str", length=255)),
        ("title:str{200}", FieldSpec("title", "str", length=200)),
        ("body:text?", FieldSpec("body", "text", nullable=True)),
        ("nickname?", FieldSpec("nickname", "str", nullable=True, length=255)),
        ("views:bigint:index", FieldSpec("views", "bigint", index=True)),
        ("email:str{320}:unique", FieldSpec("email", "str", unique=True, length=320)),
        ("price:decimal{10.2}", FieldSpec("price", "decimal", precision=10, scale=2)),
        ("price:decimal{10,2}", FieldSpec("price", "decimal", precision=10, scale=2)),
        (
            "published:bool=false",
            FieldSpec("published", "bool", default=False, has_default=True),
        ),
        (
            "status:enum:draft:live=draft",
            FieldSpec(
                "status", "enum", enum_values=("draft", "live"), default="draft", has_default=True
            ),
        ),
        (
            "status:enum:draft:live?:index",
            FieldSpec("status", "enum", enum_values=("draft", "live"), nullable=True, index=True),
        ),
        (
            "author:ref:User:cascade",
            FieldSpec("author", "ref", target="User", on_delete="CASCADE"),
        ),
        (
            "parent:ref:Category?:setnull",
            FieldSpec("parent", "ref", target="Category", nullable=True, on_delete="SET NULL"),
        ),
        ("order:int", FieldSpec("order", "int")),
    ],
)
def test_valid_fields(argument: str, expected: FieldSpec) -> None:
    assert parse_field(argument) == expected


@pytest.mark.parametrize(
    ("argument", "default"),
    [
        ("n:int=-3", -3),
        ("ratio:float=0.5", 0.5),
        ("price:decimal{6.2}=12.50", Decimal("12.50")),
        ("ratio:decimal{1.1}=0", Decimal("0")),
        ("ratio:decimal{1.1}=-0.0", Decimal("-0.0")),
        ("ratio:decimal{2.1}=5.10", Decimal("5.10")),
        ("ratio:decimal{3.0}=100", Decimal("100")),
        ("day:date=2024-02-29", date(2024, 2, 29)),
        ("at:datetime=2024-01-01T00:00:00+00:00", datetime(2024, 1, 1, tzinfo=UTC)),
        ('meta:json={"a": [1, 2]}', {"a": [1, 2]}),
        ("name:str{5}=hello", "hello"),
        ("flag:bool=TRUE", True),
    ],
)
def test_defaults_are_typed(argument: str, default: object) -> None:
    spec = parse_field(argument)
    assert spec.has_default
    assert spec.default == default


def test_a_ref_column_is_named_after_the_field() -> None:
    assert parse_field("author:ref:User").column_name == "author_id"
    assert parse_field("title").column_name == "title"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("Title:str", "lowercase identifier"),
        ("2fast:int", "lowercase identifier"),
        ("my-field", "lowercase identifier"),
        ("class:str", "Python keyword"),
        ("code:int:unique=7", "a unique field cannot have a default"),
        ("slug:str{20}?:unique=x", "a unique field cannot have a default"),
        ("match:str", "Python keyword"),
        ("metadata:str", "reserved by SQLAlchemy"),
        ("registry:int", "reserved by SQLAlchemy"),
        ("_private:int", "reserved by SQLAlchemy"),
        ("id:int", "column the mixins add"),
        ("created_at:datetime", "column the mixins add"),
        ("deleted_at:datetime", "column the mixins add"),
        ("version_id:int", "column the mixins add"),
        ("public_id:uuid", "column the mixins add"),
        ("l:int", "reads like 1"),
        ("repository:enum:a:b", "repository class"),
        ("str:text", "would hide the generated code's own 'str'"),
        ("date:date", "would hide the generated code's own 'date'"),
        ("uuid:uuid?", "would hide the generated code's own 'uuid'"),
        ("mapped_column:int", "would hide the generated code's own 'mapped_column'"),
        ("self:str:unique", "would hide the generated code's own 'self'"),
        ("x:varchar", "unknown type 'varchar'; supported: str, text"),
        ("x:int:primary", "unknown modifier 'primary'; supported: unique, index"),
        ("x:str{0}", "length of at least 1"),
        ("x:str{abc}", "length of at least 1"),
        ("x:decimal", "precision and scale"),
        ("x:decimal{10}", "precision and scale"),
        ("x:decimal{2.5}", "scale 5 is above precision 2"),
        ("x:enum", "needs values"),
        ("x:enum:a:a", "given twice"),
        ("x:enum:A:b", "lowercase identifier"),
        ("x:ref", "ref needs a model name"),
        ("x:int:cascade", "only apply to ref fields"),
        ("x:ref:User:setnull", "setnull needs a nullable column"),
        ("x:ref:User?:cascade:restrict", "choose one of"),
        ("x:int=abc", "is not an integer"),
        ("x:bool=yes", "is not true or false"),
        ("x:float=fast", "is not a number"),
        ("x:float=nan", "is not a finite number"),
        ("x:float=-inf", "is not a finite number"),
        ("x:decimal{4.2}=123.4", "is not a decimal{4.2}"),
        ("x:decimal{4.2}=1.234", "is not a decimal{4.2}"),
        ("x:decimal{3.0}=1000", "is not a decimal{3.0}"),
        ("x:decimal{2.1}=10", "is not a decimal{2.1}"),
        ("x:decimal{4.2}=Infinity", "is not a finite number"),
        ("x:date=2024-13-01", "is not a date"),
        ("x:datetime=2024-01-01T00:00:00", "timezone-aware"),
        ("x:uuid=nope", "is not a UUID"),
        ("x:json={", "is not JSON"),
        ("x:json=[]", "is not a JSON object"),
        ("x:json=5", "is not a JSON object"),
        ("x:json?=null", "is not a JSON object"),
        ("x:json=NaN", "is not JSON"),
        ("x:json=[1, NaN]", "is not JSON"),
        ('x:json={"a": -Infinity}', "is not JSON"),
        ("x:str{\u00b2}", "length of at least 1"),
        ("x:str{\u0663}", "length of at least 1"),
        ("x:decimal{\u00b2.1}", "precision and scale"),
        ("x:enum:a:b=c", "is not one of a, b"),
        ("x:str{3}=long", "at most 3 characters"),
        ("x:bytes=abc", "cannot have a default"),
        ("x?:int?", "may appear once"),
        ("x:te?xt", "right after the type"),
    ],
)
def test_invalid_fields_say_what_is_wrong(argument: str, message: str) -> None:
    with pytest.raises(
        FieldSpecError, match=message.replace("{", r"\{").replace("?", r"\?")
    ) as error:
        parse_field(argument)
    assert error.value.hint


def test_an_unquoted_brace_comma_is_caught_as_a_duplicate() -> None:
    # bash turns price:decimal{10,2} into "price:decimal10 price:decimal2"
    with pytest.raises(FieldSpecError, match="given twice") as error:
        parse_fields(["price:decimal10", "price:decimal2"])
    assert "quote" in error.value.hint


def test_a_ref_and_a_field_may_not_share_a_column() -> None:
    with pytest.raises(FieldSpecError, match="author_id"):
        parse_fields(["author:ref:User", "author_id:int"])


@pytest.mark.parametrize("name", ["BlogPost", "User", "Order", "HTTPRequest", "A1"])
def test_pascal_case_model_names(name: str) -> None:
    assert check_model_name(name) == name


@pytest.mark.parametrize("name", ["blogPost", "Blog_Post", "blog", "None", "1Post", ""])
def test_other_model_names_are_refused(name: str) -> None:
    with pytest.raises(DbscaffoldError, match="PascalCase"):
        check_model_name(name)


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("BlogPost", "blog_post"),
        ("User", "user"),
        ("HTTPRequest", "http_request"),
        ("OAuth2Token", "o_auth2_token"),
    ],
)
def test_table_names_are_singular_snake_case(name: str, table: str) -> None:
    assert table_name(name) == table


def test_every_type_and_modifier_is_documented() -> None:
    assert set(TYPES) == {
        "str",
        "text",
        "int",
        "bigint",
        "float",
        "decimal",
        "bool",
        "date",
        "datetime",
        "uuid",
        "json",
        "bytes",
        "enum",
        "ref",
        "many",
    }
    assert set(MODIFIERS) == {"unique", "index", "cascade", "setnull", "restrict", "noinverse"}


_field_alphabet = st.sampled_from(
    [*list("abcxyz_?:={}.,-09"), "str", "int", "enum", "ref", "decimal", "unique", "User", "true"]
)


@given(st.text())
def test_any_text_parses_or_raises_our_error(argument: str) -> None:
    try:
        spec = parse_field(argument)
    except FieldSpecError:
        return
    assert isinstance(spec, FieldSpec)


@given(st.lists(_field_alphabet, max_size=12).map("".join))
def test_field_like_text_parses_or_raises_our_error(argument: str) -> None:
    try:
        spec = parse_field(argument)
    except FieldSpecError:
        return
    assert spec.kind in TYPES
    assert spec.name.isidentifier()


@given(
    st.sampled_from(["str", "decimal"]),
    st.text(st.characters(categories=("Nd", "No", "Po")), max_size=5),
)
def test_any_size_parses_or_raises_our_error(type_name: str, size: str) -> None:
    # '²'.isdigit() is true, but int('²') raises: sizes are ASCII digits only
    try:
        spec = parse_field(f"x:{type_name}{{{size}}}")
    except FieldSpecError:
        return
    assert size.isascii()
    assert spec.length or spec.precision


_json_with_constants = st.recursive(
    st.sampled_from([math.nan, math.inf, -math.inf]) | st.floats() | st.integers() | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True


@given(st.dictionaries(st.text(max_size=3), _json_with_constants, max_size=3))
def test_a_json_default_is_a_python_literal(value: dict[str, object]) -> None:
    # json.dumps writes NaN and Infinity, which json.loads reads back: neither is JSON,
    # and neither is a Python literal the model's default could hold
    argument = f"x:json={json.dumps(value)}"
    if _finite(value):
        default = parse_field(argument).default
        assert ast.literal_eval(python_literal(default)) == default
    else:
        with pytest.raises(FieldSpecError, match="is not JSON"):
            parse_field(argument)


def test_the_strategies_cover_the_whole_grammar() -> None:
    """Every type and modifier the parser knows can be generated (no hand-kept list)."""
    kinds: set[str] = set()
    modifiers: set[str] = set()
    defaulted: set[str] = set()
    targets = [("Article", False), ("Node", True)]

    @settings(max_examples=1000, derandomize=True, database=None)
    @given(argument=field_names.flatmap(lambda n: field_argument(n, targets)))
    def collect(argument: str) -> None:
        spec = parse_field(argument)
        kinds.add(spec.kind)
        modifiers.update(spec.modifiers)
        if spec.has_default:
            defaulted.add(spec.kind)

    collect()
    assert kinds == set(TYPES)
    assert modifiers == set(MODIFIERS)
    # a type that takes a default needs a strategy in valid_default() above
    assert defaulted == {
        name
        for name, field_type in FIELD_TYPES.items()
        if type(field_type).parse_default is not FieldType.parse_default
    }


# -- invalid arguments, one mistake each --------------------------------------------------


def _with(fields: list[str], index: int, argument: str) -> list[str]:
    return [*fields[:index], argument, *fields[index:]]


#: Defaults the parser refuses (too long for a line is the planner's: see test_grammar_property).
BAD_DEFAULTS = (
    ("int", "abc"),
    ("int", "1.5"),
    ("bigint", "0x10"),
    ("float", "fast"),
    ("float", "nan"),
    ("float", "-inf"),
    ("decimal{4.2}", "123.4"),
    ("decimal{4.2}", "1.234"),
    ("decimal{4.2}", "NaN"),
    ("bool", "yes"),
    ("date", "2024-13-01"),
    ("datetime", "2024-01-01T00:00:00"),
    ("datetime", "soon"),
    ("uuid", "nope"),
    ("json", "{"),
    ("json", "[1, 2]"),
    ("json", "[NaN]"),
    ("enum:a:b", "c"),
    ("str{3}", "long"),
    ("bytes", "abc"),
    ("ref:Article", "1"),
)
FIELD_MISTAKES = (
    "field name",
    "unknown type",
    "unknown modifier",
    "on delete without ref",
    "many with what a column takes",
    "inverse named and refused",
    "noinverse without a relation",
    "bad inverse name",
    "setnull without ?",
    "two on delete",
    "bad size",
    "bad enum",
    "bad default",
    "unique with default",
    "duplicate",
    "column clash",
    "misplaced ?",
)


@st.composite
def invalid_fields(
    draw: st.DrawFn, targets: tuple[tuple[str, bool], ...] = (("Article", False),)
) -> tuple[list[str], str]:
    """Field arguments with exactly one mistake the parser finds, and what it is.

    ``targets`` are models a ref may name, (name, is self); the first is not the model itself.
    """
    names = draw(st.lists(field_names, min_size=0, max_size=3, unique=True))
    fields = [
        draw(field_argument(n, list(targets) if f"{n}_id" not in names else [])) for n in names
    ]
    free = draw(field_names.filter(lambda n: n not in names and f"{n}_id" not in names))
    at = draw(st.integers(0, len(fields)))
    target = targets[0][0]
    mistake = draw(st.sampled_from(FIELD_MISTAKES))
    if mistake == "field name":
        bad = draw(
            st.from_regex(r"[A-Z0-9-][A-Za-z0-9_-]{0,8}|[a-z]+-[a-z]+|_[a-z]+", fullmatch=True)
            | st.sampled_from(
                sorted(
                    {
                        *keyword.kwlist,
                        *keyword.softkwlist,
                        *RESERVED_NAMES,
                        *MIXIN_COLUMNS,
                        *MIXIN_METHODS,
                        *SHADOWING_NAMES,
                    }
                )
            )
        )
        return _with(fields, at, f"{bad}:int"), mistake
    if mistake == "unknown type":
        bad = draw(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(
                lambda t: t not in TYPES and t not in MODIFIERS
            )
        )
        return _with(fields, at, f"{free}:{bad}"), mistake
    if mistake == "unknown modifier":
        bad = draw(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(lambda m: m not in MODIFIERS)
        )
        return _with(fields, at, f"{free}:int:{bad}"), mistake
    if mistake == "on delete without ref":
        kind = draw(st.sampled_from([k for k in TYPES if k not in {*RELATIONS, "enum"}]))
        token = {"str": "str", "decimal": "decimal{4.2}"}.get(kind, kind)
        on_delete = draw(st.sampled_from(sorted(ON_DELETE)))
        return _with(fields, at, f"{free}:{token}:{on_delete}"), mistake
    if mistake == "many with what a column takes":
        extra = draw(st.sampled_from(["?", ":unique", ":index", *(f":{m}" for m in ON_DELETE)]))
        extra = draw(st.sampled_from([extra, "=1", "?:index"]))
        return _with(fields, at, f"{free}:many:{target}{extra}"), mistake
    if mistake == "inverse named and refused":
        kind = draw(st.sampled_from(RELATIONS))
        return _with(fields, at, f"{free}:{kind}:{target}.{free}_back:{NO_INVERSE}"), mistake
    if mistake == "noinverse without a relation":
        kind = draw(st.sampled_from([k for k in TYPES if k not in {*RELATIONS, "enum"}]))
        token = {"str": "str", "decimal": "decimal{4.2}"}.get(kind, kind)
        return _with(fields, at, f"{free}:{token}:{NO_INVERSE}"), mistake
    if mistake == "bad inverse name":
        bad = draw(
            st.from_regex(r"[A-Z0-9-][A-Za-z0-9_-]{0,8}|_[a-z]+", fullmatch=True)
            | st.sampled_from(
                sorted({*keyword.kwlist, *RESERVED_NAMES, *MIXIN_COLUMNS, *MIXIN_METHODS, ""})
            )
        )
        return _with(
            fields, at, f"{free}:{draw(st.sampled_from(RELATIONS))}:{target}.{bad}"
        ), mistake
    if mistake == "setnull without ?":
        return _with(fields, at, f"{free}:ref:{target}:setnull"), mistake
    if mistake == "two on delete":
        pair = draw(
            st.lists(st.sampled_from(sorted(ON_DELETE)), min_size=2, max_size=2, unique=True)
        )
        return _with(fields, at, f"{free}:ref:{target}?:{pair[0]}:{pair[1]}"), mistake
    if mistake == "bad size":
        token = draw(
            st.sampled_from(["str{0}", "str{}", "str{x}", "decimal", "decimal{10}", "decimal{0.0}"])
            | st.integers(1, 30).map(lambda p: f"decimal{{{p}.{p + 1}}}")
        )
        return _with(fields, at, f"{free}:{token}"), mistake
    if mistake == "bad enum":
        value = draw(enum_values)
        token = draw(st.sampled_from(["enum", f"enum:{value}:{value}", f"enum:X{value}"]))
        return _with(fields, at, f"{free}:{token}"), mistake
    if mistake == "bad default":
        token, default = draw(st.sampled_from(BAD_DEFAULTS))
        return _with(fields, at, f"{free}:{token}={default}"), mistake
    if mistake == "unique with default":
        return _with(fields, at, f"{free}:int:unique=0"), mistake
    if mistake == "duplicate":
        if not names:
            return [f"{free}:int", f"{free}:text"], mistake
        return _with(fields, at, draw(st.sampled_from(names)) + ":int"), mistake
    if mistake == "column clash":
        return [*_with(fields, at, f"{free}:ref:{target}"), f"{free}_id:int"], mistake
    if mistake == "misplaced ?":
        return _with(fields, at, draw(st.sampled_from([f"{free}?:int?", f"{free}:in?t"]))), mistake
    raise AssertionError(mistake)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(call=invalid_fields(targets=(("Article", False), ("Node", True))))
def test_invalid_fields_are_refused_in_one_line(call: tuple[list[str], str]) -> None:
    arguments, mistake = call

    with pytest.raises(FieldSpecError) as refused:
        parse_fields(arguments)

    assert refused.value.exit_code == 2, mistake
    assert "\n" not in refused.value.message
    assert refused.value.hint
    assert "\n" not in refused.value.hint
