"""The registry agrees with the template, and what derives from it follows a new entry."""

import inspect
import re
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from dbscaffold import cli, fields
from dbscaffold.registry import KEY_STRATEGIES, MIXIN_COLUMNS, MIXINS, KeyStrategy, Mixin
from tests.conftest import Generate
from tests.helpers import REPO_ROOT

QUESTIONS = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())


def test_the_key_strategies_are_copier_ymls_choices_in_its_order() -> None:
    choices = QUESTIONS["primary_key"]["choices"]

    assert [(key.label, key.value) for key in KEY_STRATEGIES] == list(choices.items())


def test_each_mixin_is_a_yes_no_question_of_copier_yml() -> None:
    for mixin in MIXINS:
        assert QUESTIONS[mixin.option]["type"] == "bool", mixin.option


def _class_body(package: Path, module: str, class_name: str) -> str:
    """The source of ``class_name``, found in ``module`` or the module it re-exports it from."""
    source = (package / (module.lstrip(".").replace(".", "/") + ".py")).read_text()
    # db/mixins.py re-exports each mixin from the unit module that defines it
    reexport = re.search(rf"^from my_service(\.\S+) import .*\b{class_name}\b", source, re.M)
    if reexport:
        source = (package / (reexport[1].lstrip(".").replace(".", "/") + ".py")).read_text()
    body = re.search(rf"^class {class_name}\b.*?(?=^\S|\Z)", source, re.M | re.S)
    assert body is not None, f"{class_name} is not in {module}"
    return body.group()


@pytest.mark.parametrize("key", KEY_STRATEGIES, ids=lambda key: key.value)
def test_each_mixin_is_in_the_generated_module_the_registry_names_with_its_attributes(
    generate: Generate, key: KeyStrategy
) -> None:
    project = generate(primary_key=key.value, **{mixin.option: True for mixin in MIXINS})
    package = project / "src" / "my_service"

    for class_name, module, columns, methods in [
        (key.mixin, key.module, key.columns, ()),
        *((m.class_name, m.module, m.columns, m.methods) for m in MIXINS),
    ]:
        body = _class_body(package, module, class_name)
        assert set(re.findall(r"^    (\w+): Mapped\[", body, re.M)) == set(columns), class_name
        assert set(re.findall(r"^    def (\w+)\(", body, re.M)) == set(methods), class_name


def test_no_field_may_take_a_column_a_mixin_adds() -> None:
    assert {"id", "public_id", "created_at", "updated_at", "deleted_at", "version_id"} == (
        MIXIN_COLUMNS
    )
    for column in MIXIN_COLUMNS:
        with pytest.raises(fields.FieldSpecError, match="is a column the mixins add"):
            fields.parse_field(column)


def test_a_mixin_added_to_the_registry_is_an_add_model_flag_after_pk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = Mixin("tenant_scope", "TenantMixin", ("tenant_id",), "Rows per tenant.", "")
    monkeypatch.setattr(cli, "MIXINS", (*MIXINS, tenant))
    received: dict[str, object] = {}

    def command(pk: str | None = None, table: str | None = None, **mixins: bool | None) -> None:
        received.update(mixins, pk=pk, table=table)

    app = typer.Typer(rich_markup_mode=None)
    app.command()(cli.with_mixin_flags(command))
    app.command("other")(lambda: None)  # a group: the command is invoked by name

    runner = CliRunner()
    result = runner.invoke(app, ["command", "--tenant-scope", "--no-versioning"])
    assert result.exit_code == 0, result.output
    assert received == {
        **{mixin.option: None for mixin in MIXINS},
        "versioning": False,
        "tenant_scope": True,
        "pk": None,
        "table": None,
    }
    names = list(inspect.signature(command).parameters)
    assert names == ["pk", *(mixin.option for mixin in (*MIXINS, tenant)), "table"]
    help_text = runner.invoke(app, ["command", "--help"]).output
    assert "--tenant-scope / --no-tenant-scope" in help_text
    assert "Rows per tenant." in help_text
