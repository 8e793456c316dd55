"""``plan``: from a project's answers and parsed fields to the render context, in process."""

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbscaffold import plan
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import parse_fields
from dbscaffold.plan import ModelRequest, build_request, model_context
from dbscaffold.project import ExistingModel, Project
from dbscaffold.registry import KEY_STRATEGIES, KEYS, MIXINS, KeyStrategy, Mixin
from dbscaffold.render import TESTS, render

PACKAGE = "shop"
ALL_ON = {mixin.option: True for mixin in MIXINS}
ALL_OFF = {mixin.option: False for mixin in MIXINS}


def project(
    primary_key: str = "uuid7",
    mixins: Mapping[str, bool] = ALL_ON,
    models: tuple[ExistingModel, ...] = (),
) -> Project:
    answers = {"package_name": PACKAGE, "primary_key": primary_key, **mixins}
    return Project(root=Path("/nowhere"), answers=answers, models=models)


def request(
    target: Project,
    *fields: str,
    name: str = "Widget",
    pk: str | None = None,
    mixins: Mapping[str, bool | None] | None = None,
    table: str | None = None,
    replace_existing: bool = False,
) -> ModelRequest:
    return build_request(
        target,
        name,
        parse_fields(list(fields)),
        table=table,
        pk=pk,
        mixins=mixins,
        replace_existing=replace_existing,
    )


def context(target: Project, *fields: str, **options: Any) -> dict[str, Any]:
    return model_context(target, request(target, *fields, **options))


def imported(block: str, module: str) -> list[str]:
    """The names ``from module import ...`` brings in, in a rendered import block."""
    for node in ast.parse(block).body:
        if isinstance(node, ast.ImportFrom) and node.module == module:
            return [alias.name for alias in node.names]
    return []


def modules(block: str) -> list[str]:
    """The block's ``import x`` lines."""
    return [
        f"import {alias.name}"
        for node in ast.parse(block).body
        if isinstance(node, ast.Import)
        for alias in node.names
    ]


AUTHOR_UUID = ExistingModel("Author", "author", "author", "uuid")
AUTHOR_INT = ExistingModel("Author", "author", "author", "int")


# -- build_request: what it refuses -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table", "message"),
    [
        ("Author", None, "model Author exists already (author.py)"),
        ("Writer", "author", "table 'author' belongs to Author already"),
    ],
)
def test_a_model_or_table_that_exists_is_refused(
    name: str, table: str | None, message: str
) -> None:
    with pytest.raises(DbscaffoldError, match=re.escape(message)):
        request(project(models=(AUTHOR_UUID,)), "name", name=name, table=table)


def test_replacing_the_existing_model_is_allowed_with_force_or_skip() -> None:
    target = project(models=(AUTHOR_UUID,))

    result = build_request(
        target, "Author", [], table=None, pk=None, mixins=None, replace_existing=True
    )

    assert result.class_name == "Author"


def test_another_key_strategy_than_the_projects_is_refused() -> None:
    with pytest.raises(DbscaffoldError, match="--pk int: this project's models use primary_key="):
        request(project("uuid7"), "name", pk="int")


@pytest.mark.parametrize("answer", [None, "serial"])
def test_a_project_without_a_known_key_strategy_is_refused(answer: str | None) -> None:
    target = project()
    answers = {k: v for k, v in target.answers.items() if k != "primary_key"}
    if answer is not None:
        answers["primary_key"] = answer
    broken = Project(target.root, answers, ())

    with pytest.raises(DbscaffoldError, match="primary_key answer is") as raised:
        request(broken, "name")
    assert ".copier-answers.yml" in raised.value.hint


@pytest.mark.parametrize("mixin", MIXINS, ids=lambda mixin: mixin.option)
def test_a_mixin_the_project_was_generated_without_is_refused(mixin: Mixin) -> None:
    with pytest.raises(DbscaffoldError) as raised:
        request(project(mixins=ALL_OFF), "name", mixins={mixin.option: True})

    assert raised.value.message == (
        f"{mixin.flag}: this project was generated without {mixin.option}"
    )
    assert f"--data {mixin.option}=true" in raised.value.hint


def test_only_mixin_options_are_given() -> None:
    with pytest.raises(AssertionError, match="not mixin options"):
        request(project(), "name", mixins={"tenant": True})


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("parent:ref:Widget", "a reference to the model itself must be nullable"),
        ("owner:ref:Nobody", "refers to unknown model 'Nobody' (known: Author)"),
    ],
)
def test_a_reference_it_cannot_resolve_is_refused(field: str, message: str) -> None:
    with pytest.raises(DbscaffoldError, match=re.escape(message)):
        request(project(models=(AUTHOR_UUID,)), field)


def test_a_default_too_long_for_one_line_is_refused() -> None:
    long_default = "x" * (plan.MAX_DEFAULT_LENGTH + 1)

    with pytest.raises(DbscaffoldError, match="too long for one line"):
        context(project(), f"note:str{{200}}={long_default}")


# -- the mixins and the key --------------------------------------------------------------

answers_strategy = st.tuples(
    st.sampled_from(list(KEYS)),
    st.fixed_dictionaries({mixin.option: st.booleans() for mixin in MIXINS}),
)


@settings(max_examples=40, deadline=None)
@given(answers=answers_strategy, asked=st.data())
def test_the_mixins_are_the_key_then_those_enabled_in_registry_order(
    answers: tuple[str, dict[str, bool]], asked: st.DataObject
) -> None:
    primary_key, enabled = answers
    # per mixin: not given, or turned off, or (where the project has it) turned on
    flags = {
        option: asked.draw(st.sampled_from([None, False, True] if on else [None, False]))
        for option, on in enabled.items()
    }
    target = project(primary_key, enabled)

    result = context(target, "name", mixins=flags)

    wanted = [m for m in MIXINS if enabled[m.option] and flags[m.option] is not False]
    key = KEYS[primary_key]
    assert result["mixins"] == [key.mixin] + [m.class_name for m in wanted]
    assert result["pk"] == primary_key
    assert result["key_annotation"] == key.annotation
    for mixin in MIXINS:
        assert result[mixin.option] is (mixin in wanted)
    assert imported(result["imports"], f"{PACKAGE}.db.mixins") == sorted(result["mixins"])


@pytest.mark.parametrize("key", KEY_STRATEGIES, ids=lambda key: key.value)
def test_the_key_annotation_follows_the_strategy(key: KeyStrategy) -> None:
    result = context(project(key.value), "name", "parent:ref:Widget?")

    expected = "int" if key.value in {"int", "dual"} else "uuid.UUID"
    assert result["key_annotation"] == expected
    parent = result["fields"][1]
    assert parent["fk_annotation"] == f"{expected} | None"
    assert ("BigIntKey" in parent["fk_args"]) is key.integer
    assert ("import uuid" in modules(result["imports"])) is not key.integer


def test_a_mixin_added_to_the_registry_reaches_the_model_and_its_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = Mixin(
        "tenant",
        "TenantMixin",
        columns=("tenant_id",),
        help="tenant_id",
        effect="tenant_id",
        test_imports=(("first", ".db.tenant", ("current_tenant",)),),
        module=".db.tenant",
    )
    monkeypatch.setattr(plan, "MIXINS", (*MIXINS, tenant))
    target = project(mixins={**ALL_OFF, "tenant": True})

    result = context(target, "name")

    assert result["mixins"] == ["UUIDPrimaryKeyMixin", "TenantMixin"]
    assert result["tenant"] is True
    assert imported(result["imports"], f"{PACKAGE}.db.tenant") == ["TenantMixin"]
    assert imported(result["test_imports"], f"{PACKAGE}.db.tenant") == ["current_tenant"]
    assert context(target, "name", mixins={"tenant": False})["mixins"] == ["UUIDPrimaryKeyMixin"]


def test_a_new_mixin_is_imported_from_its_own_unit_module_the_old_ones_from_db_mixins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new unit needs no re-export line in ``db/mixins.py``: its entry names its module."""
    tenancy = Mixin(
        "tenancy", "TenantMixin", ("tenant_id",), "tenant_id", "tenant_id", module=".db.tenancy"
    )
    monkeypatch.setattr(plan, "MIXINS", (*MIXINS, tenancy))

    block = context(project(mixins={**ALL_ON, "tenancy": True}), "name")["imports"]

    assert imported(block, f"{PACKAGE}.db.tenancy") == ["TenantMixin"]
    assert "TenantMixin" not in imported(block, f"{PACKAGE}.db.mixins")
    assert set(imported(block, f"{PACKAGE}.db.mixins")) == {
        "UUIDPrimaryKeyMixin",
        *(mixin.class_name for mixin in MIXINS),
    }


def test_a_key_strategy_is_imported_from_the_module_its_entry_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    snowflake = KeyStrategy(
        "snowflake",
        "Snowflake",
        "SnowflakeKeyMixin",
        integer=True,
        columns=("id",),
        effect="snowflake",
        module=".db.snowflake",
    )
    monkeypatch.setattr(plan, "KEYS", {**KEYS, "snowflake": snowflake})

    block = context(project("snowflake", mixins=ALL_OFF), "name")["imports"]

    assert imported(block, f"{PACKAGE}.db.snowflake") == ["SnowflakeKeyMixin"]
    assert imported(block, f"{PACKAGE}.db.mixins") == []


# -- imports -----------------------------------------------------------------------------


def test_a_unique_field_over_live_rows_imports_unique_while_live() -> None:
    soft = context(project(), "code:str{20}:unique")
    hard = context(project(), "code:str{20}:unique", mixins={"soft_delete": False})
    plain = context(project(), "code:str{20}")

    assert "unique_while_live" in imported(soft["imports"], f"{PACKAGE}.db.mixins")
    assert soft["fields"][0]["options"] == []
    assert "unique_while_live" not in imported(hard["imports"], f"{PACKAGE}.db.mixins")
    assert hard["fields"][0]["options"] == ["unique=True"]
    assert "unique_while_live" not in imported(plain["imports"], f"{PACKAGE}.db.mixins")


def test_the_timestamp_test_imports_utc() -> None:
    on = context(project(), "name")
    off = context(project(), "name", mixins={"timestamps": False})

    assert imported(on["test_imports"], "datetime") == ["UTC"]
    assert imported(off["test_imports"], "datetime") == []


@pytest.mark.parametrize(
    ("fields", "stale_update_test"),
    [(("name",), True), (("flag:bool",), False), (("owner:ref:Author",), False)],
)
def test_the_stale_update_test_and_its_imports_need_a_column_to_change(
    fields: tuple[str, ...], stale_update_test: bool
) -> None:
    target = project(models=(AUTHOR_UUID,))
    on = context(target, *fields)
    off = context(target, *fields, mixins={"versioning": False})

    errors = f"{PACKAGE}.db.errors"
    assert ("ConflictError" in imported(on["test_imports"], errors)) is stale_update_test
    assert ("update" in imported(on["test_imports"], "sqlalchemy")) is (
        stale_update_test or "ref" in fields[0]
    )
    assert "ConflictError" not in imported(off["test_imports"], errors)


def test_the_tests_import_the_errors_their_fields_can_raise() -> None:
    target = project(models=(AUTHOR_UUID,))

    result = context(target, "name", "code:str{20}:unique", "state:enum:on:off", "owner:ref:Author")
    optional = context(target, "note?")

    assert imported(result["test_imports"], f"{PACKAGE}.db.errors") == [
        "CheckViolationError",
        "ConflictError",
        "ForeignKeyViolationError",
        "NotNullViolationError",
        "UniqueViolationError",
    ]
    assert imported(optional["test_imports"], f"{PACKAGE}.db.errors") == ["ConflictError"]


def test_the_repository_imports_what_its_get_by_annotations_need() -> None:
    result = context(project(), "code:uuid:unique", "day:date:unique", "name")

    assert modules(result["repository_imports"]) == ["import uuid"]
    assert imported(result["repository_imports"], "datetime") == ["date"]
    assert imported(result["repository_imports"], f"{PACKAGE}.models.widget") == ["Widget"]


# -- references --------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["Author", "author"])
@pytest.mark.parametrize("target", [AUTHOR_UUID, AUTHOR_INT], ids=["uuid", "int"])
def test_a_reference_resolves_by_class_or_table_to_the_targets_key(
    by: str, target: ExistingModel
) -> None:
    result = context(project("int", models=(target,)), f"owner:ref:{by}")

    owner = result["fields"][0]
    assert owner["target_class"] == "Author"
    assert owner["fk_column"] == "owner_id"
    assert owner["fk_annotation"] == ("int" if target.key_type == "int" else "uuid.UUID")
    assert owner["fk_args"][-2:] == ['ForeignKey("author.id")', "index=True"]
    assert result["type_checking"] == f"    from {PACKAGE}.models.author import Author"
    assert imported(result["test_imports"], "tests.models.test_author") == ["new_author"]


def test_two_references_to_one_table_say_which_key_each_follows() -> None:
    result = context(project(models=(AUTHOR_UUID,)), "writer:ref:Author", "editor:ref:author")

    writer, editor = result["fields"]
    assert writer["relationship_args"] == [
        'back_populates="writer_widgets"',
        "foreign_keys=[writer_id]",
        'lazy="raise"',
    ]
    assert editor["relationship_args"] == [
        'back_populates="editor_widgets"',
        "foreign_keys=[editor_id]",
        'lazy="raise"',
    ]


def test_a_reference_to_the_model_itself_names_its_remote_side() -> None:
    result = context(project("dual"), "parent:ref:widget?:setnull")

    parent = result["fields"][0]
    assert parent["is_self"] is True
    assert parent["relationship_args"] == [
        'back_populates="widgets"',
        'remote_side="Widget.id"',
        'lazy="raise"',
        "passive_deletes=True",
    ]
    assert parent["fk_args"] == [
        "BigIntKey",
        'ForeignKey("widget.id", ondelete="SET NULL")',
        "index=True",
    ]
    assert result["type_checking"] == ""


@pytest.mark.parametrize(
    ("field", "free"),
    [
        ("code:str{40}:unique", "free = new_widget().code"),
        ("kind:enum:a:b:unique", "free = WidgetKind.B"),
        ("share:decimal{2.2}:unique", None),
        ("only:enum:one:unique", None),
    ],
)
def test_the_get_by_test_looks_up_a_value_no_row_has(field: str, free: str | None) -> None:
    """A unique field whose sample is the same for every row (an enum's first member,
    ``Decimal(0)``) must not look up a new row's value as the one nobody has."""
    result = context(project(), field)
    tests = render(TESTS, model=result)
    name = field.split(":")[0]

    body = tests[tests.index(f"async def test_get_by_{name}(") :]
    body = body[: body.index("\n\n\n")] if "\n\n\n" in body else body
    if free is None:
        assert "free" not in body
    else:
        assert free in body
        assert f"await repository.get_by_{name}(free) is None" in body
