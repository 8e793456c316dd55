"""``relationships``: inverse names, association tables and both sides' code, in process."""

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import plural
from dbscaffold.plan import class_edits
from dbscaffold.project import ExistingModel, Project
from dbscaffold.relationships import plan_relationships
from tests.test_plan import AUTHOR_INT, AUTHOR_UUID, PACKAGE, context, project, request

TAG = ExistingModel("Tag", "tag", "tag", "uuid", soft_delete=True)


def same_code(statement: str, expected: str) -> bool:
    """Whether ``statement`` (indented as in a class body) is ``expected``, however laid out."""
    assert statement.startswith("    ")
    assert all(len(line) <= 100 for line in statement.splitlines())
    return ast.dump(ast.parse(statement.strip())) == ast.dump(ast.parse(expected))


def inverses(target: Project, *fields: str, name: str = "Widget") -> dict[str, str | None]:
    planned = plan_relationships(target, request(target, *fields, name=name))
    return {r.spec.name: r.inverse for r in planned}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (["author:ref:Author"], {"author": "widgets"}),
        (["author:ref:author:cascade"], {"author": "widgets"}),
        (["author:ref:Author.writings"], {"author": "writings"}),
        (["author:ref:Author:noinverse"], {"author": None}),
        (["owner:ref:Author:unique"], {"owner": "widget"}),
        (["tags:many:Tag"], {"tags": "widgets"}),
        (["tags:many:Tag.tagged"], {"tags": "tagged"}),
        (
            ["author:ref:Author", "editor:ref:Author?"],
            {"author": "author_widgets", "editor": "editor_widgets"},
        ),
        (["parent:ref:Widget?"], {"parent": "widgets"}),
        (
            ["author:ref:Author", "fans:many:author"],
            {"author": "author_widgets", "fans": "fans_widgets"},
        ),
        (
            ["author:ref:Author.books", "editor:ref:Author?:noinverse"],
            {"author": "books", "editor": None},
        ),
    ],
)
def test_inverse_names(fields: list[str], expected: dict[str, str | None]) -> None:
    assert inverses(project(models=(AUTHOR_UUID, TAG)), *fields) == expected


def test_the_default_inverse_is_the_plural_of_the_model() -> None:
    target = project(models=(AUTHOR_UUID,))
    assert inverses(target, "author:ref:Author", name="BlogPost") == {"author": "blog_posts"}
    assert inverses(target, "author:ref:Author", name="Category") == {"author": "categories"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("book", "books"),
        ("blog_post", "blog_posts"),
        ("category", "categories"),
        ("day", "days"),
        ("box", "boxes"),
        ("address", "addresses"),
        ("branch", "branches"),
        ("person", "people"),
        ("sales_person", "sales_people"),
        ("child", "children"),
    ],
)
def test_plural(word: str, expected: str) -> None:
    assert plural(word) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (["friends:many:Widget"], "many-to-many from Widget to itself is not generated"),
        (["a:ref:Author.x", "b:ref:Author.x?"], "fields 'a' and 'b' would both add Author.x"),
        (["a:ref:Author.books", "b:many:author.books"], "would both add Author.books"),
        (["parent:ref:Widget.name?", "name:str"], "would be the field 'name' of the same model"),
        (["tags:many:Tag", "tag:ref:Nothing"], "refers to unknown model 'Nothing'"),
        (["parent:ref:Widget"], "a reference to the model itself must be nullable"),
    ],
)
def test_refused(fields: list[str], message: str) -> None:
    with pytest.raises(DbscaffoldError, match=message):
        request(project(models=(AUTHOR_UUID, TAG)), *fields)


def test_an_association_table_that_exists_is_refused() -> None:
    taken = Project(
        root=project().root,
        answers=project().answers,
        models=(TAG,),
        association_tables={"widget_tag": "gadget"},
    )
    with pytest.raises(DbscaffoldError, match="association table 'widget_tag' exists already"):
        request(taken, "tags:many:Tag")
    model = ExistingModel("WidgetTag", "widget_tag", "widget_tag", "uuid")
    with pytest.raises(DbscaffoldError, match="association table 'widget_tag' exists already"):
        request(project(models=(TAG, model)), "tags:many:Tag")


def test_regenerating_a_model_keeps_its_own_association_table() -> None:
    own = Project(
        root=project().root,
        answers=project().answers,
        models=(TAG, ExistingModel("Widget", "widget", "widget", "uuid")),
        association_tables={"widget_tag": "widget"},
    )
    target = request(own, "tags:many:Tag", replace_existing=True)

    assert [r.association for r in plan_relationships(own, target)] == ["widget_tag"]


def test_two_many_fields_to_one_target_get_a_table_each() -> None:
    result = context(project(models=(TAG,)), "tags:many:Tag", "featured:many:tag")

    names = [code.split(" = ", 1)[0] for code in result["associations"]]
    assert names == ["widget_tags", "widget_featured"]


@pytest.mark.parametrize(("key", "target"), [("uuid7", TAG), ("int", AUTHOR_INT)])
def test_the_association_table(key: str, target: ExistingModel) -> None:
    result = context(project(key, models=(target,)), f"items:many:{target.class_name}")

    (code,) = result["associations"]
    table = target.table
    (assignment,) = ast.parse(code).body
    assert isinstance(assignment, ast.Assign)
    call = assignment.value
    assert isinstance(call, ast.Call)
    assert ast.unparse(assignment.targets[0]) == f"widget_{table}"
    assert [ast.unparse(a) for a in call.args[:2]] == [f"'widget_{table}'", "Base.metadata"]
    columns = [ast.unparse(column) for column in call.args[2:]]
    assert columns == [
        "Column('widget_id', ForeignKey('widget.id', ondelete='CASCADE'), primary_key=True)",
        f"Column('{table}_id', ForeignKey('{table}.id', ondelete='CASCADE'),"
        " primary_key=True, index=True)",
    ]
    assert all(len(line) <= 100 for line in code.splitlines())
    (items,) = result["collections"]
    assert items["relationship_args"] == [
        f"secondary=widget_{table}",
        'back_populates="widgets"',
        'lazy="raise"',
        "passive_deletes=True",
    ]
    assert items["annotation"] == f'list["{target.class_name}"]'
    assert result["fields"] == []


@pytest.mark.parametrize(
    ("modifiers", "deleting"),
    [
        (":cascade", ['cascade="all"', "passive_deletes=True"]),
        ("?:setnull", ["passive_deletes=True"]),
        (":restrict", ['passive_deletes="all"']),
        ("", ['passive_deletes="all"']),
    ],
)
def test_the_inverse_deletes_as_the_key_says(modifiers: str, deleting: list[str]) -> None:
    target = project(models=(AUTHOR_UUID,))

    (edit,) = class_edits(target, request(target, f"author:ref:Author{modifiers}"))

    assert edit.module == f"src/{PACKAGE}/models/author.py"
    assert edit.class_name == "Author"
    assert edit.attribute == "widgets"
    assert edit.back_populates == "author"
    arguments = ", ".join(['back_populates="author"', 'lazy="raise"', *deleting])
    line = f'widgets: Mapped[list["Widget"]] = relationship({arguments})'
    assert same_code(edit.statement, line)
    assert edit.type_checking.render() == f"from {PACKAGE}.models.widget import Widget"
    assert "from sqlalchemy.orm import Mapped, relationship" in edit.imports.render()


def test_a_one_to_one_inverse_is_scalar() -> None:
    target = project(models=(AUTHOR_UUID,))

    (edit,) = class_edits(target, request(target, "owner:ref:Author:unique"))

    assert edit.statement.startswith('    widget: Mapped["Widget | None"] = relationship(')


def test_two_keys_to_one_table_name_their_key_on_the_inverse_too() -> None:
    target = project(models=(AUTHOR_UUID,))

    edits = class_edits(target, request(target, "author:ref:Author", "editor:ref:Author?"))

    assert [e.attribute for e in edits] == ["author_widgets", "editor_widgets"]
    assert 'foreign_keys="[Widget.editor_id]"' in edits[1].statement


def test_a_many_inverse_names_the_table_as_a_string() -> None:
    target = project(models=(TAG,))

    (edit,) = class_edits(target, request(target, "tags:many:Tag"))

    assert edit.statement == (
        '    widgets: Mapped[list["Widget"]] = relationship(\n'
        '        secondary="widget_tag",\n'
        '        back_populates="tags",\n'
        '        lazy="raise",\n'
        "        passive_deletes=True,\n"
        "    )"
    )


def test_self_references_and_no_inverse_edit_no_other_file() -> None:
    target = project(models=(AUTHOR_UUID,))
    fields = ("parent:ref:Widget?", "author:ref:Author:noinverse")

    assert class_edits(target, request(target, *fields)) == []
    (statement,) = context(target, *fields)["own_inverses"]
    assert statement.startswith('    widgets: Mapped[list["Widget"]] = relationship(')


@settings(max_examples=60, derandomize=True, database=None)
@given(
    name=st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True),
    kind=st.sampled_from(["ref", "many"]),
)
def test_any_chosen_inverse_name_is_that_attribute_or_refused(name: str, kind: str) -> None:
    target = project(models=(AUTHOR_UUID,))
    try:
        edits = class_edits(target, request(target, f"author:{kind}:Author.{name}"))
    except DbscaffoldError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert "\n" not in refusal
        return
    (edit,) = edits
    assert edit.attribute == name
    assert edit.statement.startswith(f"    {name}: Mapped[")


def test_a_table_name_postgresql_would_cut_short_is_refused() -> None:
    long_target = ExistingModel("T" * 40, "t" * 40, "t" * 40, "uuid")
    with pytest.raises(DbscaffoldError, match=r"its association table '\w+' is 65 characters"):
        request(project(models=(long_target,)), f"items:many:{'T' * 40}", name="W" * 24)
    with pytest.raises(DbscaffoldError, match=r"table name 'x{64}' is 64 characters long"):
        request(project(), "title", table="x" * 64)


def test_an_enum_class_named_like_a_target_is_refused() -> None:
    target = ExistingModel("WidgetKind", "widget_kind", "widget_kind", "uuid")
    with pytest.raises(DbscaffoldError, match="enum class WidgetKind of Widget would take"):
        context(project(models=(target,)), "kind:enum:a:b", "owner:ref:WidgetKind")


def test_a_model_referencing_itself_deletes_without_loading_its_many_to_ones() -> None:
    """Its rows are deleted one by one (a unit-of-work cycle), which would load each
    many-to-one to order the deletes: lazy="raise" refuses unless they are passive."""
    target = project(models=(AUTHOR_UUID,))
    cyclic = context(target, "author:ref:Author", "parent:ref:Widget?")["fields"]
    plain = context(target, "author:ref:Author")["fields"]

    assert [f["relationship_args"][-1] for f in cyclic] == ["passive_deletes=True"] * 2
    assert plain[0]["relationship_args"][-1] == 'lazy="raise"'
