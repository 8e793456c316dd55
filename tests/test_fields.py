"""The add-model field syntax: examples, every error, and a property-based sweep."""

import ast
import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbscaffold.errors import DbscaffoldError
from dbscaffold.field_types import python_literal
from dbscaffold.fields import (
    MODIFIERS,
    TYPES,
    FieldSpec,
    FieldSpecError,
    check_model_name,
    parse_field,
    parse_fields,
    table_name,
)


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
    }
    assert set(MODIFIERS) == {"unique", "index", "cascade", "setnull", "restrict"}


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


@given(_json_with_constants.map(json.dumps))
def test_a_json_default_is_a_python_literal(text: str) -> None:
    # json.dumps writes NaN and Infinity, which json.loads reads back: neither is JSON,
    # and neither is a Python literal the model's default could hold
    if "NaN" in text or "Infinity" in text:
        with pytest.raises(FieldSpecError, match="is not JSON"):
            parse_field(f"x:json={text}")
    else:
        default = parse_field(f"x:json={text}").default
        assert ast.literal_eval(python_literal(default)) == default
