"""``dbscaffold add-model`` as a user runs it: output, exit codes, an untouched tree on error."""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from dbscaffold import writer
from dbscaffold.errors import DbscaffoldError
from tests.conftest import Generate
from tests.helpers import tree_bytes
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


def test_it_writes_the_model_its_repository_and_its_tests(
    project: Path, add_model: AddModel
) -> None:
    result = add_model(
        project, "Widget", "name:str{80}", "code:str{20}:unique", "article:ref:Article"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [word for path in MODEL_FILES for word in ("create", path)]
    model = (project / MODEL_FILES[0]).read_text()
    assert (
        "class Widget(UUIDPrimaryKeyMixin, TimestampMixin, SoftDeleteMixin, VersionMixin, Base):"
        in model
    )
    assert 'ForeignKey("article.id")' in model
    assert 'relationship(lazy="raise")' in model
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

    assert f"literal_column(\"'{not_a_member}'\")" in tests


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
    (["Widget", "Name:str"], "lowercase identifier"),
    (["Widget", "class:str"], "Python keyword"),
    (["Widget", "metadata:str"], "reserved by SQLAlchemy"),
    (["Widget", "created_at:datetime"], "column the mixins add"),
    (["Widget", "price:decimal10", "price:decimal2"], "given twice"),
    (["Widget", "x:varchar"], "unknown type 'varchar'"),
    (["Widget", "x:int:primary"], "unknown modifier 'primary'"),
    (["Widget", "x:str{0}"], "length of at least 1"),
    (["Widget", "x:decimal{2.5}"], "scale 5 is above precision 2"),
    (["Widget", "x:enum"], "needs values"),
    (["Widget", "x:enum:a:a"], "given twice"),
    (["Widget", "x:int=abc"], "is not an integer"),
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
