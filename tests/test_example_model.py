"""The example model's contexts: planned by ``add-model``'s code, committed, and current."""

import itertools
import json

import pytest

from dbscaffold import example, plan
from dbscaffold.registry import KEYS, MIXINS, Index, Migration, Mixin
from tests.helpers import REPO_ROOT


def test_the_committed_example_contexts_are_what_the_planner_makes_now() -> None:
    committed = (REPO_ROOT / example.DATA_FILE).read_text()

    assert committed == example.render(), "stale: run `uv run python -m dbscaffold.example`"


def test_there_is_a_context_for_every_combination_of_the_options() -> None:
    data = json.loads((REPO_ROOT / example.DATA_FILE).read_text())

    combinations = itertools.product(KEYS, *([False, True] for _ in MIXINS))
    expected = {",".join(str(value).lower() for value in values) for values in combinations}
    assert data["options"] == ["primary_key", *(mixin.option for mixin in MIXINS)]
    assert set(data["models"]) == expected
    assert len(expected) == len(KEYS) * 2 ** len(MIXINS)


def test_the_example_model_imports_a_new_mixin_from_its_own_unit_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenancy = Mixin(
        "tenancy", "TenantMixin", ("tenant_id",), "tenant_id", "tenant_id", module=".db.tenancy"
    )
    monkeypatch.setattr(plan, "MIXINS", (*MIXINS, tenancy))
    monkeypatch.setattr(example, "MIXINS", (*MIXINS, tenancy))
    monkeypatch.setattr(example, "OPTIONS", (*example.OPTIONS, "tenancy"))

    models = example.contexts()["models"]

    on = ",".join(["uuid7", *(["true"] * (len(MIXINS) + 1))])
    off = ",".join(["uuid7", *(["true"] * len(MIXINS)), "false"])
    tenant_import = f"from {example.PACKAGE}.db.tenancy import TenantMixin"
    assert tenant_import in models[on]["imports"].splitlines()
    assert "TenantMixin" not in models[off]["imports"]
    assert "TenantMixin" not in "".join(
        line for line in models[on]["imports"].splitlines() if ".db.mixins" in line
    )


def test_a_new_mixins_migration_lines_reach_the_example_migration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The migration template loops over the registry's lines: a new mixin does not touch it."""
    tenancy = Mixin(
        "tenancy",
        "TenantMixin",
        ("tenant_id",),
        "tenant_id",
        "tenant_id",
        module=".db.tenancy",
        migration=Migration(
            columns=('sa.Column("tenant_id", sa.Uuid(), nullable=False)',),
            indexes=(Index('op.f("{table}_tenant_id_idx")', 'op.create_index("{table}")'),),
            imports=(("first", ".db.tenancy", ("TENANT",)),),
        ),
    )
    monkeypatch.setattr(plan, "MIXINS", (*MIXINS, tenancy))
    monkeypatch.setattr(example, "MIXINS", (*MIXINS, tenancy))
    monkeypatch.setattr(example, "OPTIONS", (*example.OPTIONS, "tenancy"))

    models = example.contexts()["models"]

    on = models[",".join(["dual", *(["false"] * len(MIXINS)), "true"])]["migration"]
    assert on["columns"][-1] == 'sa.Column("tenant_id", sa.Uuid(), nullable=False)'
    assert on["indexes"][-1] == 'op.create_index("article")'
    assert on["drops"][0] == 'op.drop_index(op.f("article_tenant_id_idx"), table_name="article")'
    assert on["imports"] == f"from {example.PACKAGE}.db.tenancy import TENANT"
    off = models[",".join(["dual", *(["false"] * (len(MIXINS) + 1))])]["migration"]
    assert "tenant_id" not in json.dumps(off)


def test_with_soft_delete_a_unique_field_is_a_live_rows_index_else_a_constraint() -> None:
    models = example.contexts()["models"]
    without = models[",".join(["int", *("false" for _ in MIXINS)])]["migration"]
    live = models[",".join(["int", *(str(m.option == "soft_delete").lower() for m in MIXINS)])]

    assert without["constraints"] == ['sa.UniqueConstraint("slug", name=op.f("article_slug_key"))']
    assert live["migration"]["constraints"] == []
    assert 'sqlite_where=sa.text("deleted_at IS NULL")' in live["migration"]["indexes"][-1]
    assert live["migration"]["drops"][0] == (
        'op.drop_index("article_slug_key", table_name="article")'
    )
