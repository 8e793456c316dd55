"""The relationship forms of the field grammar, by property, in process (fast).

``name:ref:Target[.inverse][?][:unique][:index][:cascade|:setnull|:restrict][:noinverse]`` and
``name:many:Target[.inverse][:noinverse]``: what the parser accepts and refuses, and what
``add-model --dry-run`` plans for the target's module (tests/test_relationships.py runs the
same through the installed CLI, and the generated projects' own checks).
"""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import MODIFIERS, FieldSpecError, parse_field
from tests.helpers import REPO_ROOT, tree_bytes
from tests.test_fields import field_names

_settings = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
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


# -- planning, through add-model --dry-run in process ---------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project (int keys, every mixin, no example model) with Author, Tag and User."""
    from copier import run_copy

    project = tmp_path_factory.mktemp("relationship-grammar") / "project"
    run_copy(
        str(REPO_ROOT),
        str(project),
        data={"primary_key": "int", "example_model": False},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    for name, fields in [
        ("Author", ["name:str{100}"]),
        ("Tag", ["label:str{40}"]),
        ("User", ["email:str{320}:unique"]),
    ]:
        add_model(AddModelOptions(name, fields, project), echo=lambda line: None)
    return project


@pytest.fixture(scope="module")
def unchanged(pristine: Path) -> Iterator[Path]:
    """The project, checked to be untouched after every test that uses it."""
    before = tree_bytes(pristine)
    yield pristine
    assert tree_bytes(pristine) == before


def dry_run(project: Path, name: str, *fields: str) -> str:
    """What ``add-model --dry-run`` prints (status lines and diffs)."""
    printed: list[str] = []
    add_model(AddModelOptions(name, list(fields), project, dry_run=True), echo=printed.append)
    return "\n".join(printed)


def added(output: str, attribute: str, annotation: str) -> bool:
    """Whether the printed diffs add ``attribute: Mapped[annotation] = relationship(``."""
    line = f"+    {attribute}: Mapped[{annotation}] = relationship("
    return any(printed.startswith(line) for printed in output.splitlines())


#: What Author has besides the field-name rules: its column, SoftDeleteMixin's methods.
AUTHOR_TAKEN = frozenset({"name", "is_deleted", "soft_delete", "restore"})


@_settings
@given(name=inverse_names)
def test_a_chosen_inverse_is_planned_or_refused_in_one_line(name: str, unchanged: Path) -> None:
    field = f"author:ref:Author.{name}"
    if is_field_name(name) and name not in AUTHOR_TAKEN:
        output = dry_run(unchanged, "Widget", field)
        assert added(output, name, 'list["Widget"]'), output
        assert re.search(r"^ +edit  src/my_service/models/author\.py$", output, re.M), output
    else:
        with pytest.raises(DbscaffoldError) as refused:
            dry_run(unchanged, "Widget", field)
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
    fields: list[str], many: int, unchanged: Path
) -> None:
    """Refs, and at most one many (two would need one association table each)."""
    arguments = [
        f"{name}:many:Author" if index == many else f"{name}:ref:Author?"
        for index, name in enumerate(fields)
    ]
    output = dry_run(unchanged, "Widget", *arguments)
    for name in fields:
        assert added(output, f"{name}_widgets", 'list["Widget"]'), output
    assert not added(output, "widgets", 'list["Widget"]'), output


@pytest.mark.parametrize(
    ("model", "field", "attribute", "annotation"),
    [
        ("Book", "author:ref:Author", "books", 'list["Book"]'),
        ("BlogPost", "author:ref:Author", "blog_posts", 'list["BlogPost"]'),
        ("Category", "author:ref:Author", "categories", 'list["Category"]'),
        ("Box", "author:ref:Author", "boxes", 'list["Box"]'),
        ("Profile", "owner:ref:User:unique", "profile", '"Profile | None"'),
        ("BlogPost", "owner:ref:User:unique", "blog_post", '"BlogPost | None"'),
        ("Article", "tags:many:Tag", "articles", 'list["Article"]'),
        ("Book", "author:ref:Author.writings", "writings", 'list["Book"]'),
        ("Book", "tags:many:Tag.tagged_books", "tagged_books", 'list["Book"]'),
    ],
)
def test_default_and_chosen_inverse_names(
    pristine: Path, model: str, field: str, attribute: str, annotation: str, tmp_path: Path
) -> None:
    project = shutil.copytree(pristine, tmp_path / "project")
    output = dry_run(project, model, field)
    assert added(output, attribute, annotation), output


@pytest.mark.parametrize(
    "fields",
    [
        ["author:ref:Author"],
        ["owner:ref:User:unique"],
        ["tags:many:Tag"],
    ],
)
def test_noinverse_edits_nothing(unchanged: Path, fields: list[str]) -> None:
    output = dry_run(unchanged, "Widget", *(f"{f}:noinverse" for f in fields))
    assert " edit " not in output
    assert not re.search(r"^[+-] ", output, re.M), output
