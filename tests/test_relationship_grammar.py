"""The relationship forms of the field grammar, by property, in process (fast).

``name:ref:Target[.inverse][?][:unique][:index][:cascade|:setnull|:restrict][:noinverse]`` and
``name:many:Target[.inverse][:noinverse]``: what the parser accepts and refuses, and what
the planner makes of them for the target's class (tests/test_relationships.py runs the
same through the installed CLI, and the generated projects' own checks).
"""

import ast
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.edit_model import ClassEdit
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import MODIFIERS, FieldSpecError, parse_field, parse_fields
from dbscaffold.plan import ModelRequest, build_request, class_edits, model_context
from dbscaffold.project import ExistingModel, Project
from tests.test_fields import field_names

_settings = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

#: Names the field-name rules refuse, and names they take, mixed with random ones.
NAME_SAMPLES = (
    *("id", "created_at", "metadata", "registry", "class", "self", "str", "l", "_x", "Books"),
    *("books", "writings", "children", "name_", "x"),
)
inverse_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(NAME_SAMPLES),
)
#: What a many field refuses: every modifier but noinverse, a ``?``, a default.
MANY_REFUSES = (*(f":{m}" for m in MODIFIERS if m != "noinverse"), "?", "=1", "=")


def is_field_name(name: str) -> bool:
    """The parser's own rule: ``name`` alone is a valid field."""
    try:
        return parse_field(name).name == name
    except FieldSpecError:
        return False


def parses(argument: str) -> bool:
    """Whether the parser takes ``argument``; a refusal must be one line."""
    try:
        parse_field(argument)
    except FieldSpecError as error:
        message = error.message
    else:
        return True
    assert "\n" not in message
    return False


# -- parsing -----------------------------------------------------------------------------


@_settings
@given(name=inverse_names, nullable=st.booleans(), rule=st.sampled_from(["", ":cascade"]))
def test_a_chosen_ref_inverse_follows_the_field_name_rules(
    name: str, nullable: bool, rule: str
) -> None:
    argument = f"author:ref:Author.{name}{'?' if nullable else ''}{rule}"

    assert parses(argument) is is_field_name(name), argument


@_settings
@given(name=inverse_names)
def test_a_chosen_many_inverse_follows_the_field_name_rules(name: str) -> None:
    assert parses(f"tags:many:Tag.{name}") is is_field_name(name)


@_settings
@given(
    name=field_names,
    kind=st.sampled_from(["ref", "many"]),
    modifiers=st.lists(st.sampled_from(["unique", "index"]), max_size=1),
)
def test_a_chosen_name_and_noinverse_exclude_each_other(
    name: str, kind: str, modifiers: list[str]
) -> None:
    tail = "".join(f":{m}" for m in modifiers) if kind == "ref" else ""
    assert parses(f"x:{kind}:Author{tail}:noinverse")
    assert not parses(f"x:{kind}:Author.{name}{tail}:noinverse")


@_settings
@given(
    name=field_names,
    inverse=st.one_of(st.just(""), field_names.map(lambda n: f".{n}")),
    refused=st.lists(st.sampled_from(MANY_REFUSES), min_size=1, max_size=3, unique=True),
)
def test_many_takes_no_modifier_no_question_mark_and_no_default(
    name: str, inverse: str, refused: list[str]
) -> None:
    assert parses(f"{name}:many:Tag{inverse}")
    marks = "".join(r for r in refused if r == "?")
    modifiers = "".join(r for r in refused if r.startswith(":"))
    default = next((r for r in refused if r.startswith("=")), "")
    assert not parses(f"{name}:many:Tag{inverse}{marks}{modifiers}{default}")


@pytest.mark.parametrize(
    "argument",
    [
        "author:ref:Author.writings",
        "author:ref:Author.writings?",
        "author:ref:Author.writings?:setnull",
        "owner:ref:User.account:unique",
        "owner:ref:User:unique:noinverse",
        "author:ref:Author?:index:restrict:noinverse",
        "tags:many:Tag",
        "tags:many:Tag.labelled",
        "tags:many:Tag:noinverse",
        "tags:many:tag",
    ],
)
def test_the_documented_forms_parse(argument: str) -> None:
    assert parses(argument), argument


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [
        ("author:ref:Author.x", "author:ref:Author."),
        ("author:ref:Author.x", "author:ref:Author..x"),
        ("author:ref:Author.a_b", "author:ref:Author.a.b"),
        ("author:ref:Author.books", "author:ref:.books"),
        ("author:ref:Author:noinverse", "author:ref:Author.books:noinverse"),
        ("tags:many:Tag", "tags:many"),
        ("tags:many:Tag", "tags:many:"),
        ("tags:many:Tag", "tags:many:Tag?"),
        ("tags:many:Tag", "tags:many:Tag:unique"),
        ("tags:many:Tag", "tags:many:Tag:index"),
        ("tags:many:Tag", "tags:many:Tag:cascade"),
        ("tags:many:Tag", "tags:many:Tag:setnull"),
        ("tags:many:Tag", "tags:many:Tag:restrict"),
        ("tags:many:Tag", "tags:many:Tag=1"),
        ("tags:many:Tag:noinverse", "tags:many:Tag.books:noinverse"),
        ("tags:many:Tag", "tags:many:Tag{3}"),
        ("tags:many:Tag", "tags:many{3}:Tag"),
        ("author:ref:Author:noinverse", "title:str:noinverse"),
        ("author:ref:Author.x", "title:str.x"),
    ],
)
def test_malformed_relationships_are_refused(valid: str, invalid: str) -> None:
    """Each next to the nearest form the grammar takes."""
    assert parses(valid), valid
    assert not parses(invalid), invalid


# -- planning, in process -------------------------------------------------------------

ANSWERS = {
    "package_name": "shop",
    "primary_key": "int",
    "timestamps": True,
    "soft_delete": True,
    "versioning": True,
}
TARGETS = tuple(
    ExistingModel(name, name.lower(), name.lower(), "int", True)
    for name in ("Author", "Tag", "User")
)
PROJECT = Project(root=Path("/nowhere"), answers=ANSWERS, models=TARGETS)


def planned(project: Project, name: str, *fields: str, replace: bool = False) -> ModelRequest:
    return build_request(
        project, name, parse_fields(list(fields)), table=None, pk=None, replace_existing=replace
    )


def edits(name: str, *fields: str) -> dict[tuple[str, str], ClassEdit]:
    """The class edits ``add-model name *fields`` plans, by (class, attribute)."""
    request = planned(PROJECT, name, *fields)
    return {(e.class_name, e.attribute): e for e in class_edits(PROJECT, request)}


def statement(code: str) -> tuple[str, str, list[tuple[str | None, str]]]:
    """A class-body statement's attribute, annotation and relationship keywords."""
    [node] = ast.parse(textwrap.dedent(code)).body
    assert isinstance(node, ast.AnnAssign)
    assert isinstance(node.value, ast.Call)
    assert ast.unparse(node.value.func) == "relationship"
    keywords = [(k.arg, ast.unparse(k.value)) for k in node.value.keywords]
    return ast.unparse(node.target), ast.unparse(node.annotation), keywords


@_settings
@given(name=inverse_names)
def test_a_chosen_inverse_is_planned_or_refused_in_one_line(name: str) -> None:
    field = f"author:ref:Author.{name}"
    if is_field_name(name):
        [(key, edit)] = edits("Widget", field).items()
        assert key == ("Author", name)
        assert edit.back_populates == "author"
        assert edit.module == "src/shop/models/author.py"
        assert statement(edit.statement)[:2] == (name, "Mapped[list['Widget']]")
    else:
        with pytest.raises(DbscaffoldError) as refused:
            edits("Widget", field)
        assert refused.value.exit_code == 2
        assert "\n" not in refused.value.message


@_settings
@given(
    fields=st.lists(
        field_names.filter(lambda n: not n.endswith("_id")), min_size=2, max_size=3, unique=True
    ),
    many=st.integers(-1, 2),
)
def test_two_fields_to_one_target_get_their_field_name_as_prefix(
    fields: list[str], many: int
) -> None:
    arguments = [
        f"{name}:many:Author" if index == many else f"{name}:ref:Author?"
        for index, name in enumerate(fields)
    ]
    assert sorted(edits("Widget", *arguments)) == sorted(
        ("Author", f"{name}_widgets") for name in fields
    )


@pytest.mark.parametrize(
    ("model", "field", "attribute", "annotation"),
    [
        ("Book", "author:ref:Author", "books", "list['Book']"),
        ("BlogPost", "author:ref:Author", "blog_posts", "list['BlogPost']"),
        ("Category", "author:ref:Author", "categories", "list['Category']"),
        ("Box", "author:ref:Author", "boxes", "list['Box']"),
        ("Person", "author:ref:Author", "people", "list['Person']"),
        ("Profile", "owner:ref:User:unique", "profile", "'Profile | None'"),
        ("BlogPost", "owner:ref:User:unique", "blog_post", "'BlogPost | None'"),
        ("Article", "tags:many:Tag", "articles", "list['Article']"),
        ("Book", "author:ref:Author.writings", "writings", "list['Book']"),
        ("Book", "tags:many:Tag.tagged_books", "tagged_books", "list['Book']"),
    ],
)
def test_default_and_chosen_inverse_names(
    model: str, field: str, attribute: str, annotation: str
) -> None:
    [edit] = edits(model, field).values()
    assert statement(edit.statement)[:2] == (attribute, f"Mapped[{annotation}]")


#: The inverse's keywords by the key's ON DELETE rule (ORM and database agree).
ON_DELETE_INVERSES = [
    (
        "author:ref:Author:cascade",
        [
            ("back_populates", "'author'"),
            ("lazy", "'raise'"),
            ("cascade", "'all'"),
            ("passive_deletes", "True"),
        ],
    ),
    (
        "author:ref:Author?:setnull",
        [("back_populates", "'author'"), ("lazy", "'raise'"), ("passive_deletes", "True")],
    ),
    (
        "author:ref:Author:restrict",
        [("back_populates", "'author'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
    ),
    (
        "author:ref:Author",
        [("back_populates", "'author'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
    ),
    (
        "author:many:Author",
        [
            ("secondary", "'book_author'"),
            ("back_populates", "'author'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("field", "keywords"), ON_DELETE_INVERSES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_the_inverse_deletes_as_the_key_does(field: str, keywords: list[tuple[str, str]]) -> None:
    [edit] = edits("Book", field).values()
    assert statement(edit.statement)[2] == keywords
    assert edit.type_checking.render() == "from shop.models.book import Book"


@pytest.mark.parametrize(
    "fields", [["author:ref:Author"], ["owner:ref:User:unique"], ["tags:many:Tag"]]
)
def test_noinverse_plans_no_edit(fields: list[str]) -> None:
    assert edits("Widget", *fields)  # the inverse, without :noinverse
    assert edits("Widget", *(f"{f}:noinverse" for f in fields)) == {}


def test_a_self_reference_has_its_inverse_in_its_own_class() -> None:
    request = planned(PROJECT, "Category", "parent:ref:Category?", "next:ref:Category.previous?")

    assert class_edits(PROJECT, request) == []
    inverses = [statement(code) for code in model_context(PROJECT, request)["own_inverses"]]
    assert [(name, annotation) for name, annotation, _ in inverses] == [
        ("parent_categories", "Mapped[list['Category']]"),
        ("previous", "Mapped[list['Category']]"),
    ]


@pytest.mark.parametrize(
    ("fields", "table"),
    [
        (["tags:many:Tag"], "widget_tag"),
        (["tags:many:Tag", "labels:many:Tag.labelled"], "widget_tags"),
    ],
)
def test_an_association_table_that_exists_is_refused(fields: list[str], table: str) -> None:
    project = Project(PROJECT.root, ANSWERS, TARGETS, {table: "label"})
    planned(PROJECT, "Widget", *fields)

    with pytest.raises(DbscaffoldError, match=f"association table '{table}' exists already"):
        planned(project, "Widget", *fields)


def test_regenerating_a_model_does_not_trip_on_its_own_association_table() -> None:
    """``add-model Book tags:many:Tag`` again, with --skip or --force: book.py defines
    book_tag, which is the table the model's own many field plans."""
    book = ExistingModel("Book", "book", "book", "int", True)
    project = Project(PROJECT.root, ANSWERS, (*TARGETS, book), {"book_tag": "book"})

    request = planned(project, "Book", "tags:many:Tag", replace=True)

    assert [e.attribute for e in class_edits(project, request)] == ["books"]
