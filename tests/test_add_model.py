"""``dbscaffold add-model`` as a user runs it: output, exit codes, an untouched tree on error."""

import ast
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dbscaffold import fields, literals, writer
from dbscaffold.add_model import edited_files
from dbscaffold.edit_model import ClassEdit, ModelEditError
from dbscaffold.errors import DbscaffoldError
from dbscaffold.imports import Imports
from tests.conftest import Generate
from tests.helpers import SharedEnvironment, tree_bytes
from tests.installed import InstalledCli

MODEL_FILES = (
    "src/my_service/models/widget.py",
    "src/my_service/repositories/widget.py",
    "tests/models/test_widget.py",
)


AddModel = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def add_model(dbscaffold: InstalledCli) -> AddModel:
    """``dbscaffold add-model *args`` in ``project``, from the installed wheel."""

    def _add_model(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return dbscaffold.run("add-model", *args, cwd=project, check=False)

    return _add_model


@pytest.fixture
def project(generate: Generate) -> Path:
    return generate()


ARTICLE = "src/my_service/models/article.py"


def test_it_writes_the_model_its_repository_and_its_tests(
    project: Path, add_model: AddModel
) -> None:
    result = add_model(
        project, "Widget", "name:str{80}", "code:str{20}:unique", "article:ref:Article"
    )

    assert result.returncode == 0, result.stderr
    created = [word for path in MODEL_FILES for word in ("create", path)]
    assert result.stdout.split() == [*created, "edit", "src/my_service/models/article.py"]
    assert 'widgets: Mapped[list["Widget"]]' in (project / ARTICLE).read_text()
    model = (project / MODEL_FILES[0]).read_text()
    assert (
        "class Widget(UUIDPrimaryKeyMixin, TimestampMixin, SoftDeleteMixin, VersionMixin, Base):"
        in model
    )
    assert 'ForeignKey("article.id")' in model
    assert 'relationship(back_populates="widgets", lazy="raise")' in model
    assert "async def get_by_code" in (project / MODEL_FILES[1]).read_text()


@pytest.mark.parametrize(
    ("enum", "not_a_member"),
    [
        ("status:enum:draft:live:archived", "ARCHIVED"),
        ("kind:enum:a:bb", "BB"),
        ("x:enum:_:__", "--"),
    ],
)
def test_the_enum_test_writes_a_non_member_that_fits_the_column(
    project: Path, add_model: AddModel, enum: str, not_a_member: str
) -> None:
    """A longer value would fail on PostgreSQL for its length, not for the CHECK constraint."""
    assert add_model(project, "Widget", enum).returncode == 0

    tests = (project / MODEL_FILES[2]).read_text()

    assert f"not_a_member = \"'{not_a_member}'\"" in tests


@pytest.mark.parametrize("soft_delete", [False, True])
def test_a_unique_ref_is_a_unique_key_column(
    generate: Generate, add_model: AddModel, soft_delete: bool
) -> None:
    project = generate(primary_key="int", soft_delete=soft_delete)

    result = add_model(project, "Widget", "owner:ref:Article:unique", "parent:ref:Widget?:unique")

    assert result.returncode == 0, result.stderr
    model = (project / MODEL_FILES[0]).read_text()
    if soft_delete:
        assert 'unique_while_live("widget_owner_id_key", "owner_id")' in model
        assert 'unique_while_live("widget_parent_id_key", "parent_id")' in model
        assert 'ForeignKey("article.id"), index=True)' in model
    else:
        assert "unique_while_live" not in model
        assert (
            'owner_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("article.id"), unique'
            in model
        )
        assert 'ForeignKey("widget.id"), unique=True)' in model
    # (the model references itself: its many-to-one relationships are passive_deletes)
    assert (
        'owner: Mapped["Article"] = relationship(\n        back_populates="widget",\n'
        '        lazy="raise",\n        passive_deletes=True,\n    )' in model
    )
    assert (
        'widget: Mapped["Widget | None"] = relationship(\n        back_populates="parent",' in model
    )
    tests = (project / MODEL_FILES[2]).read_text()
    assert "async def test_owner_is_unique(" in tests
    assert "async def test_parent_is_unique(" in tests
    assert ("async def test_owner_of_a_deleted_row_can_be_reused(" in tests) is soft_delete


def test_the_example_model_is_what_add_model_writes(
    generate: Generate, add_model: AddModel
) -> None:
    with_example = generate(primary_key="dual")
    without = generate(primary_key="dual", example_model=False)

    result = add_model(without, "Article", "title:str{200}", "slug:str{200}:unique", "body:text?")

    assert result.returncode == 0, result.stderr
    for path in (
        "src/my_service/models/article.py",
        "src/my_service/repositories/article.py",
        "tests/models/test_article.py",
    ):
        assert (without / path).read_text() == (with_example / path).read_text(), path


def test_dry_run_prints_the_plan_and_writes_nothing(project: Path, add_model: AddModel) -> None:
    before = tree_bytes(project)

    result = add_model(project, "Widget", "name", "--dry-run", "--migration")

    assert result.returncode == 0, result.stderr
    assert "create  src/my_service/models/widget.py" in result.stdout
    assert "migrate  migrations/versions/<today>_create_widget_table.py" in result.stdout
    assert tree_bytes(project) == before


def test_a_differing_file_is_a_conflict_unless_forced_or_skipped(
    project: Path, add_model: AddModel
) -> None:
    (project / MODEL_FILES[1]).write_text("# mine\n")
    before = tree_bytes(project)

    conflict = add_model(project, "Widget", "name")
    assert conflict.returncode == 1
    assert f"conflict  {MODEL_FILES[1]}" in conflict.stdout
    assert "exists and differs" in conflict.stderr
    assert tree_bytes(project) == before

    skipped = add_model(project, "Widget", "name", "--skip")
    assert skipped.returncode == 0, skipped.stderr
    assert f"skip  {MODEL_FILES[1]}" in skipped.stdout
    assert (project / MODEL_FILES[1]).read_text() == "# mine\n"

    forced = add_model(project, "Widget", "name", "--force")
    assert forced.returncode == 0, forced.stderr
    assert f"force  {MODEL_FILES[1]}" in forced.stdout
    assert f"identical  {MODEL_FILES[0]}" in forced.stdout
    assert "class WidgetRepository" in (project / MODEL_FILES[1]).read_text()


BAD_INPUT = [
    (["widget"], "must be PascalCase"),
    (["Blog_Post"], "must be PascalCase"),
    (["None"], "must be PascalCase"),
    (["Article"], "model Article exists already"),
    (["Widget", "--table", "article"], "table 'article' belongs to Article"),
    # the parser's errors, one of each kind (tests/test_fields.py has them all)
    (["Widget", "price:decimal10", "price:decimal2"], "given twice"),
    (["Widget", "x:varchar"], "unknown type 'varchar'"),
    (["Widget", "owner:ref:Nobody"], "unknown model 'Nobody'"),
    (["Widget", "parent:ref:Widget"], "must be nullable"),
    (["Widget", "--force", "--skip"], "--force and --skip exclude each other"),
    (["Widget", "--pk", "int"], "--pk int"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_INPUT, ids=lambda v: " ".join(v) if isinstance(v, list) else None
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    project: Path, add_model: AddModel, args: list[str], message: str
) -> None:
    before = tree_bytes(project)

    result = add_model(project, *args)

    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    assert message in lines[0], result.stderr
    assert all(line.startswith("hint: ") for line in lines[1:])
    assert "Traceback" not in result.stderr
    assert tree_bytes(project) == before


def test_an_unknown_pk_is_refused_with_the_choices(project: Path, add_model: AddModel) -> None:
    before = tree_bytes(project)

    result = add_model(project, "Widget", "name", "--pk", "serial")

    assert result.returncode == 2, result.stdout + result.stderr
    assert "'serial' is not one of 'uuid7', 'uuid4', 'int', 'dual'" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_bytes(project) == before


def test_mixins_the_project_lacks_cannot_be_asked_for(
    generate: Generate, add_model: AddModel
) -> None:
    project = generate(soft_delete=False)
    before = tree_bytes(project)

    result = add_model(project, "Widget", "name", "--soft-delete")

    assert result.returncode == 2
    assert "generated without soft_delete" in result.stderr
    assert tree_bytes(project) == before


def test_outside_a_generated_project_it_says_so(tmp_path: Path, add_model: AddModel) -> None:
    result = add_model(tmp_path, "Widget", "name")

    assert result.returncode == 2
    assert "not inside a project generated by dbscaffold" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failure_part_way_through_writing_leaves_the_tree_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "existing.py").write_text("old\n")
    writes = [
        writer.FileWrite(Path("a/new.py"), "new\n"),
        writer.FileWrite(Path("existing.py"), "changed\n"),
        writer.FileWrite(Path("b/other.py"), "other\n"),
    ]
    planned = writer.classify(tmp_path, writes, force=True, skip=False)
    real_replace = os.replace
    calls = []

    def failing_replace(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)

    with pytest.raises(DbscaffoldError, match="No space left"):
        writer.apply(tmp_path, planned)

    assert (tmp_path / "existing.py").read_text() == "old\n"
    assert not (tmp_path / "a" / "new.py").exists()
    assert not (tmp_path / "b" / "other.py").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["existing.py"]


@pytest.mark.parametrize(
    "fields",
    [[], ["level:int=1"], ["token:uuid", "status:enum:on:off"], ["parent:ref:Widget?"]],
    ids=["no fields", "all defaulted", "no numbered value", "self ref only"],
)
def test_tests_number_rows_only_when_a_value_needs_it(
    generate: Generate, shared_env: SharedEnvironment, fields: list[str], add_model: AddModel
) -> None:
    project = generate(versioning=False)

    result = add_model(project, "Widget", *fields)

    assert result.returncode == 0, result.stderr
    tests = (project / MODEL_FILES[2]).read_text()
    assert "_sequence" not in tests
    assert "itertools" not in tests
    shared_env.run(project, "ruff", "check", "--no-cache", MODEL_FILES[2])
    shared_env.run(project, "ruff", "format", "--no-cache", "--check", MODEL_FILES[2])


@pytest.mark.parametrize("fields", [[], ["flag:bool", "owner:ref:Article"]], ids=["none", "bool"])
def test_versioning_imports_nothing_when_no_column_can_change(
    project: Path, shared_env: SharedEnvironment, fields: list[str], add_model: AddModel
) -> None:
    result = add_model(project, "Widget", *fields)

    assert result.returncode == 0, result.stderr
    tests = (project / MODEL_FILES[2]).read_text()
    assert "test_a_stale_update_is_a_conflict" not in tests
    assert "ConflictError" not in tests
    shared_env.run(project, "ruff", "check", "--no-cache", MODEL_FILES[2])


LITERALS = [
    "",
    "hello",
    "it's",
    'say "hi"',
    "both ' and \"",
    '""\'',
    "''\"",
    "back\\slash \\' \\\"",
    "tab\tnew\nline\x7f\x00",
    "é ü ∑ 😀 \u00b4",
    {"a": ["b", 1, 2.5, None, True], "it's": {}},
    [],
    1e16,
    [2.5e-07, -1e100],
]


def test_defaults_are_written_as_ruff_format_writes_them(tmp_path: Path) -> None:
    source = "".join(f"x = {literals.python_literal(value)}\n" for value in LITERALS)
    (tmp_path / "literals.py").write_text(source)

    ruff = Path(sys.executable).parent / "ruff"
    check = subprocess.run(
        [ruff, "format", "--no-cache", "--isolated", "--diff", "literals.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert check.returncode == 0, check.stdout + check.stderr
    assert [eval(line[4:]) for line in source.splitlines()] == LITERALS
    assert source.isascii()  # no look-alike characters for ruff's RUF001


def test_no_model_may_be_named_like_a_name_generated_code_imports(
    generate: Generate, add_model: AddModel
) -> None:
    project = generate(primary_key="int")
    every_type = [
        f"f_{kind}:{kind}" for kind in fields.TYPES if kind not in {"ref", "many", "enum"}
    ]
    every_type += ["f_enum:enum:a", "f_ref:ref:Article?", "f_many:many:Article"]
    every_type += ["f_decimal:decimal{4.2}=1"]
    every_type.remove("f_decimal:decimal")
    result = add_model(project, "Widget", *every_type, "--table", "widget")
    assert result.returncode == 0, result.stderr

    imported = {
        alias.asname or alias.name
        for path in MODEL_FILES
        for node in ast.walk(ast.parse((project / path).read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    pascal = {name for name in imported if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)}
    pascal -= {"Widget", "WidgetRepository", "WidgetFEnum", "Article", "ArticleRepository"}
    for name in sorted(pascal):
        with pytest.raises(DbscaffoldError, match="imports"):
            fields.check_model_name(name)
    for name in ("Base", "Repository", "DualIdMixin", "UUIDPrimaryKeyMixin"):
        with pytest.raises(DbscaffoldError, match="imports"):
            fields.check_model_name(name)


def test_two_refs_to_one_table_say_which_key_each_follows(
    project: Path, add_model: AddModel
) -> None:
    result = add_model(
        project,
        "Widget",
        "owner:ref:Article",
        "reviewer:ref:article?",
        "parent:ref:Widget?",
        "previous:ref:Widget?",
    )

    assert result.returncode == 0, result.stderr
    model = (project / MODEL_FILES[0]).read_text()
    assert 'back_populates="owner_widgets",\n        foreign_keys=[owner_id],' in model
    assert 'back_populates="reviewer_widgets",\n        foreign_keys=[reviewer_id],' in model
    assert 'foreign_keys=[parent_id],\n        remote_side="Widget.id",' in model
    assert 'foreign_keys=[previous_id],\n        remote_side="Widget.id",' in model
    # the self-references' inverses, in the class itself, name their key too
    assert 'back_populates="parent",\n        foreign_keys=[parent_id],' in model


def test_a_single_ref_to_a_table_needs_no_foreign_keys(project: Path, add_model: AddModel) -> None:
    result = add_model(project, "Widget", "owner:ref:Article", "parent:ref:Widget?")

    assert result.returncode == 0, result.stderr
    assert "foreign_keys" not in (project / MODEL_FILES[0]).read_text()


def test_a_default_too_long_for_a_line_is_refused(project: Path, add_model: AddModel) -> None:
    before = tree_bytes(project)

    result = add_model(project, "Widget", "note:text=" + "x" * 79)

    assert result.returncode == 2
    assert "too long for one line" in result.stderr
    assert tree_bytes(project) == before


def test_long_defaults_and_names_still_make_lines_ruff_accepts(
    generate: Generate, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    project = generate(versioning=False)
    name = "a_long_field_name_with_default"

    result = add_model(
        project,
        "Widget",
        f"{name}:text=" + "x" * 70,
        f"{name}_at:datetime=2024-01-01T00:00:00.123456+05:30",
    )

    assert result.returncode == 0, result.stderr
    shared_env.run(project, "ruff", "check", "--no-cache", ".")
    shared_env.run(project, "ruff", "format", "--no-cache", "--check", ".")


@pytest.mark.parametrize("field", ["day:date=2024-01-31", "at:datetime=2024-01-01T00:00:00+00:00"])
def test_a_defaulted_field_adds_no_imports_for_values_it_never_gets(
    project: Path, shared_env: SharedEnvironment, field: str, add_model: AddModel
) -> None:
    result = add_model(project, "Widget", field)

    assert result.returncode == 0, result.stderr
    assert "timedelta" not in (project / MODEL_FILES[2]).read_text()
    shared_env.run(project, "ruff", "check", "--no-cache", MODEL_FILES[2])


def test_only_the_updated_columns_changed_value_is_imported(
    generate: Generate, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    # the update test changes the first changeable column only (count): the later
    # datetime's changed value, datetime(..., tzinfo=UTC), is never written
    project = generate(timestamps=False)

    result = add_model(project, "Widget", "count:int", "at:datetime=2024-01-01T00:00:00+00:00")

    assert result.returncode == 0, result.stderr
    tests = (project / MODEL_FILES[2]).read_text()
    assert "changed = -1" in tests
    assert "UTC" not in tests
    shared_env.run(project, "ruff", "check", "--no-cache", MODEL_FILES[2])


def test_a_required_json_field_refuses_none(
    generate: Generate, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    # JSON stores Python None as the JSON value null unless told otherwise: NOT NULL
    # would never fire, and the generated test_data_is_required would fail
    project = generate()

    result = add_model(project, "Widget", "data:json", "extra:json?")

    assert result.returncode == 0, result.stderr
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    shared_env.run(project, "alembic", "upgrade", "head", **database)
    shared_env.run(project, "alembic", "revision", "--autogenerate", "-m", "widgets", **database)
    shared_env.run(project, "ruff", "format", "--no-cache", "migrations")
    shared_env.run(
        project,
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "data or extra",
        MODEL_FILES[2],
    )
    shared_env.run(project, "ruff", "check", "--no-cache", ".")
    shared_env.run(project, "ruff", "format", "--no-cache", "--check", ".")


def test_a_long_model_name_is_laid_out_as_ruff_writes_it(
    project: Path, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    # test_soft_delete_hides_the_row_until_restored(repository: ...) no longer fits a line
    result = add_model(project, "AaaaaaaaA0000", "label")

    assert result.returncode == 0, result.stderr
    shared_env.run(project, "ruff", "format", "--no-cache", "--check", ".")
    shared_env.run(project, "ruff", "check", "--no-cache", ".")


def test_a_very_wide_decimal_gets_a_short_sample(
    project: Path, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    result = add_model(project, "Widget", "amount:decimal{1000.3}")

    assert result.returncode == 0, result.stderr
    assert "Decimal(n % 10**997)" in (project / MODEL_FILES[2]).read_text()
    shared_env.run(project, "ruff", "check", "--no-cache", MODEL_FILES[2])


def test_a_nullable_field_with_a_default_is_not_tested_as_none(
    project: Path, add_model: AddModel
) -> None:
    # SQLAlchemy inserts the default for an explicit None, so `is None` would fail
    result = add_model(project, "Widget", "note:text?=hello", "other:text?")

    assert result.returncode == 0, result.stderr
    tests = (project / MODEL_FILES[2]).read_text()
    assert "test_note_is_optional" not in tests
    assert "test_note_has_a_default" in tests
    assert "test_other_is_optional" in tests


def test_a_unique_field_named_like_a_builtin_gets_a_parameter_that_does_not_shadow_it(
    project: Path, add_model: AddModel
) -> None:
    """Found by the grammar property test: ``get_by_type(self, type: str)`` is ruff's A002."""
    result = add_model(project, "Widget", "type:str{20}:unique")

    assert result.returncode == 0, result.stderr
    repository = (project / MODEL_FILES[1]).read_text()
    assert "async def get_by_type(self, type_: str) -> Widget | None:" in repository
    assert "Widget.type == type_" in repository


#: A field name as long as the layout is meant for (PostgreSQL takes 63 characters).
LONG = "a_field_name_long_enough_to_push_every_line_it_sits_on_to"


def test_long_names_come_out_formatted_and_within_the_line_length(
    generate: Generate, shared_env: SharedEnvironment, add_model: AddModel
) -> None:
    """Long field, model and enum names and long defaults: ruff format keeps every generated
    line as it is, and none passes 100 columns (E501), with every mixin on."""
    project = generate(primary_key="dual", timestamps=True, soft_delete=True, versioning=True)
    gadget = [
        f"{LONG}:str{{200}}",
        f"{LONG[:52]}_txt:text?=a default that is rather long, long enough to push lines past",
        f"{LONG[:44]}_owner:ref:Article?:unique:setnull",
        f"{LONG[:52]}_dec:decimal{{12.4}}=12345678.1234",
        f'{LONG[:50]}_json:json={{"key": [1, 2, 3], "other": "a longer value"}}',
        f"{LONG[:55]}_flag:bool=true",
        f"{LONG[:47]}_parent:ref:Gadget?",
        f"{LONG[:46]}_day:date?",
        f"{LONG[:29]}_at:datetime?:index",
        f"{LONG[:24]}_code:str{{40}}:unique",
        f"{LONG[:20]}_kind:enum:an_enumeration_value_long_enough_to_test_it:b=b",
        f"{LONG[:45]}_tags:many:Article",
    ]
    adjustment = [
        "title:str{200}:unique",
        "status:enum:draft:a_rather_long_enum_value_name_here=draft",
        "gadget:ref:Gadget?:unique",
        "parent:ref:QuarterlyWarehouseStockAdjust?",
        "happened_at:datetime",
    ]

    for model, arguments in (("Gadget", gadget), ("QuarterlyWarehouseStockAdjust", adjustment)):
        result = add_model(project, model, *arguments)
        assert result.returncode == 0, result.stderr

    written = [
        str(path.relative_to(project))
        for module in ("gadget", "quarterly_warehouse_stock_adjust")
        for path in sorted(project.glob(f"**/*{module}.py"))
    ]
    assert len(written) == 6
    shared_env.run(project, "ruff", "format", "--no-cache", "--check", *written)
    shared_env.run(project, "ruff", "check", "--no-cache", *written)
    shared_env.run(project, "ruff", "check", "--no-cache", "--select", "E501", *written)


AUTHOR_MODULE = "src/shop/models/author.py"
AUTHOR_SOURCE = '''"""The Author model."""

from sqlalchemy.orm import Mapped, mapped_column

from shop.db.base import Base


class Author(Base):
    __tablename__ = "author"

    name: Mapped[str] = mapped_column()
'''


def _inverse(attribute: str, field: str, extra: str = "") -> ClassEdit:

    imports, type_checking = Imports(), Imports()
    imports.add("third", "sqlalchemy.orm", "relationship")
    type_checking.add("first", "shop.models.book", "Book")
    statement = (
        f'    {attribute}: Mapped[list["Book"]] = relationship(back_populates="{field}"{extra})'
    )
    return ClassEdit(AUTHOR_MODULE, "Author", attribute, statement, field, imports, type_checking)


def test_edits_of_one_module_become_one_write_made_from_the_module_as_it_is(
    tmp_path: Path,
) -> None:

    (tmp_path / AUTHOR_MODULE).parent.mkdir(parents=True)
    (tmp_path / AUTHOR_MODULE).write_text(AUTHOR_SOURCE)
    edits = [_inverse("books", "author"), _inverse("reviewed_books", "reviewer")]

    [write] = edited_files(tmp_path, edits, replace=False)

    assert write.path == Path(AUTHOR_MODULE)
    assert write.expected == AUTHOR_SOURCE
    assert write.content is not None
    assert write.content.endswith(
        '    books: Mapped[list["Book"]] = relationship(back_populates="author")\n'
        '    reviewed_books: Mapped[list["Book"]] = relationship(back_populates="reviewer")\n'
    )
    planned = writer.classify(tmp_path, [write], force=False, skip=False)
    assert writer.status_lines(planned) == [f"      edit  {AUTHOR_MODULE}"]
    assert f"+++ b/{AUTHOR_MODULE}" in writer.unified_diff(write)
    writer.apply(tmp_path, planned)
    assert (tmp_path / AUTHOR_MODULE).read_text() == write.content
    [again] = edited_files(tmp_path, edits, replace=False)
    assert writer.classify(tmp_path, [again], force=False, skip=True)[0].status is (
        writer.Status.IDENTICAL
    )
    writer.undo(tmp_path, planned, {})
    assert (tmp_path / AUTHOR_MODULE).read_text() == AUTHOR_SOURCE


def test_a_differing_inverse_of_ours_is_replaced_with_force_and_skipped_with_skip(
    tmp_path: Path,
) -> None:

    (tmp_path / AUTHOR_MODULE).parent.mkdir(parents=True)
    (tmp_path / AUTHOR_MODULE).write_text(AUTHOR_SOURCE)
    old = edited_files(tmp_path, [_inverse("books", "author", ', lazy="select"')], replace=False)
    writer.apply(tmp_path, writer.classify(tmp_path, old, force=False, skip=False))
    new = [_inverse("books", "author")]

    with pytest.raises(ModelEditError, match="differs"):
        edited_files(tmp_path, new, replace=False)
    replaced = edited_files(tmp_path, new, replace=True)
    assert writer.classify(tmp_path, replaced, force=True, skip=False)[0].status is (
        writer.Status.EDIT
    )
    assert writer.classify(tmp_path, replaced, force=False, skip=True)[0].status is (
        writer.Status.SKIP
    )


def test_a_target_module_that_cannot_be_read_is_one_error(tmp_path: Path) -> None:

    with pytest.raises(ModelEditError, match=f"cannot edit {AUTHOR_MODULE}") as caught:
        edited_files(tmp_path, [_inverse("books", "author")], replace=False)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "code",
    [["-m", "dbscaffold", "--help"], ["-c", "import dbscaffold.add_model, dbscaffold.cli"]],
)
def test_start_up_does_not_import_libcst(code: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *code], capture_output=True, text=True, check=True
    )
    imported = [line.split("|")[-1].strip() for line in result.stderr.splitlines()]
    assert "dbscaffold.edit_model" in imported or code[0] == "-m"
    assert not [name for name in imported if name.split(".")[0] == "libcst"]


def test_relationships_need_the_template_s_test_support(project: Path, add_model: AddModel) -> None:
    """A project made before the relationship tests lacks their helpers: update it first."""
    support = project / "tests" / "support.py"
    support.write_text(support.read_text().replace("def loaded_rows(", "def _old_loaded_rows("))
    before = tree_bytes(project)

    result = add_model(project, "Widget", "article:ref:Article")

    assert result.returncode == 2
    assert "tests/support.py has no loaded_rows()" in result.stderr
    assert "dbscaffold update" in result.stderr
    assert tree_bytes(project) == before
    assert add_model(project, "Widget", "title").returncode == 0
