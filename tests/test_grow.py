"""``add-field`` and ``remove-field``: growing a model the project has, and shrinking it.

In process: remove-field undoes add-field (Hypothesis over the field grammar). Through the
installed CLI: bad input exits 2 with one line and an unchanged tree, ``--dry-run`` writes
nothing, the team's own code around the class survives, and (slow) a table with rows gains
every kind of field with its migration, then loses them, on SQLite per key strategy and on
PostgreSQL, with the project's own checks passing after each step.
"""

import ast
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dbscaffold.add_field import add_field
from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.change import FieldsOptions
from dbscaffold.errors import DbscaffoldError
from dbscaffold.remove_field import remove_field
from tests import test_generated_projects_postgresql as on_postgresql
from tests.conftest import Generate
from tests.helpers import REPO_ROOT, SharedEnvironment, tree_bytes
from tests.installed import InstalledCli, installed_sqlite_project, project_tool
from tests.test_fields import field_argument
from tests.test_generated_projects import verify
from tests.test_generated_projects_postgresql import (
    POSTGRES_URL,
    Databases,
    installed_postgresql_project,
    verify_on,
)
from tests.test_relationships import assert_refused

PACKAGE = Path("src/my_service")
MODELS = PACKAGE / "models"
#: The models of the pristine project: Book grows (it references Author already).
BASE_MODELS = [
    ("Author", ["name:str{100}"]),
    ("Tag", ["label:str{40}:unique"]),
    ("Shelf", ["code:str{10}"]),
    ("Book", ["title:str{200}", "author:ref:Author?"]),
]


def copy_project(answers: dict[str, object], destination: Path) -> Path:
    from copier import run_copy

    run_copy(
        str(REPO_ROOT), str(destination), data=answers, defaults=True, quiet=True, vcs_ref="HEAD"
    )
    for name, fields in BASE_MODELS:
        add_model(AddModelOptions(name, fields, destination), echo=lambda line: None)
    return destination


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uuid7, timestamps and versioning, no soft delete (so unique fields may be added)."""
    return copy_project({"soft_delete": False}, tmp_path_factory.mktemp("grow") / "project")


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "project"))


# -- remove-field undoes add-field ------------------------------------------------------------


def code_without_imports(source: str) -> tuple[str, set[tuple[str, str]]]:
    """A module's text less its import lines, and its imports as (module, name) pairs."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    imported: set[tuple[str, str]] = set()
    import_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else ""
            imported |= {(module or "", alias.name) for alias in node.names}
            assert node.end_lineno is not None
            import_lines |= set(range(node.lineno, node.end_lineno + 1))
    rest = "".join(line for number, line in enumerate(lines, 1) if number not in import_lines)
    return rest, imported


#: Field names that neither Book nor its targets' inverses have.
field_names = st.sampled_from(["subtitle", "pages", "rating", "isbn", "editor", "tags", "parent"])


@st.composite
def new_fields(draw: st.DrawFn) -> list[str]:
    names = draw(st.lists(field_names, min_size=1, max_size=3, unique=True))
    targets = [("Shelf", False), ("Tag", False), ("Book", True)]
    return [draw(field_argument(name, targets)) for name in names]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fields=new_fields())
def test_remove_field_undoes_add_field(pristine: Path, tmp_path: Path, fields: list[str]) -> None:
    project = Path(shutil.copytree(pristine, tmp_path / "p", dirs_exist_ok=True))
    try:
        before = tree_bytes(project)
        try:
            add_field(FieldsOptions("Book", fields, project), echo=lambda line: None)
        except DbscaffoldError:
            assume(False)  # NOT NULL without a default, a taken name...: refused, tested below
        grown = tree_bytes(project)
        assert grown != before
        names = [re.split(r"[:?=]", field)[0] for field in fields]

        remove_field(FieldsOptions("Book", names, project), echo=lambda line: None)

        after = tree_bytes(project)
        assert set(after) == set(before), set(after) ^ set(before)
        for path, content in before.items():
            if content == after[path]:
                continue
            assert path.endswith(".py"), path
            # the import lines may be laid out anew; what they import, and the rest, not
            assert code_without_imports(after[path].decode()) == code_without_imports(
                content.decode()
            ), path
    finally:
        shutil.rmtree(project)


def test_a_removal_takes_what_the_field_brought_and_nothing_else(project: Path) -> None:
    add_field(
        FieldsOptions(
            "Book",
            ["status:enum:draft:live=draft", "tags:many:Tag", "isbn:str{20}?:unique"],
            project,
        ),
        echo=lambda line: None,
    )
    book = (project / MODELS / "book.py").read_text()
    assert "class BookStatus(enum.StrEnum)" in book
    assert 'book_tag = Table(\n    "book_tag"' in book
    assert "async def get_by_isbn(" in (project / PACKAGE / "repositories/book.py").read_text()
    added = project / "tests/models/test_book_status_tags_isbn.py"
    assert "from tests.models import test_book\n" in added.read_text()

    lines: list[str] = []
    remove_field(FieldsOptions("Book", ["tags", "isbn"], project), echo=lines.append)

    book = (project / MODELS / "book.py").read_text()
    assert "BookStatus" in book
    assert "book_tag" not in book
    assert "Table" not in book
    assert "get_by_isbn" not in (project / PACKAGE / "repositories/book.py").read_text()
    assert "books" not in (project / MODELS / "tag.py").read_text()
    tests = added.read_text()
    assert "def test_status_" in tests
    assert "tags" not in tests
    assert "isbn" not in tests
    assert lines[-1].startswith("next: deploy the code without isbn before running")


# -- through the installed CLI ----------------------------------------------------------------


def run_ok(cli: InstalledCli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = cli.run(*args, cwd=project, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


#: Each bad input, and a pattern its error line matches.
BAD_INPUT = [
    (["add-field", "Nobody", "subtitle:str?"], r"no model 'Nobody'"),
    (["add-field", "Book"], r"Missing argument|at least one field"),
    (["add-field", "Book", "title:str{300}"], r"Book\.title exists already"),
    (["add-field", "Book", "title:text?"], r"Book\.title exists already.*not change"),
    (["add-field", "Book", "author:ref:Tag?"], r"Book\.author(_id)? exists already"),
    (["add-field", "Book", "pages:int"], r"NOT NULL column without a default"),
    (["add-field", "Book", "editor:ref:Shelf"], r"a new reference has no value"),
    (["add-field", "Book", "editor:ref:Author?"], r"Book references Author already"),
    (["add-field", "Book", "isbn:str{20}:unique=x"], r"a unique field cannot have a default"),
    (["add-field", "Book", "pages:integer?"], r"unknown type"),
    (["add-field", "Book", "editor:ref:Nobody?"], r"unknown model 'Nobody'"),
    (["add-field", "Book", "id:int?"], r"'id' is a column the mixins add"),
    (["add-field", "Book", "tags:many:Book"], r"from Book to itself"),
    (["remove-field", "Nobody", "title"], r"no model 'Nobody'"),
    (["remove-field", "Book", "subtitle"], r"Book has no field 'subtitle'"),
    (["remove-field", "Book", "author_id"], r"Book\.author_id is the key of the reference author"),
    (["remove-field", "Book", "created_at"], r"comes from a mixin"),
    (["remove-field", "Book", "id"], r"comes from a mixin"),
    (["remove-field", "Author", "books"], r"inverse of another model's reference"),
]


@pytest.mark.parametrize(
    ("args", "pattern"), BAD_INPUT, ids=[" ".join(args) for args, _ in BAD_INPUT]
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    project: Path, dbscaffold: InstalledCli, args: list[str], pattern: str
) -> None:
    before = tree_bytes(project)

    result = dbscaffold.run(*args, cwd=project, check=False)

    assert_refused(result, pattern)
    assert tree_bytes(project) == before


def test_a_unique_field_on_a_soft_deleted_model_is_unique_over_live_rows(
    tmp_path: Path,
) -> None:
    project = copy_project({"soft_delete": True}, tmp_path / "project")
    tag = project / MODELS / "tag.py"
    before = tree_bytes(project)
    assert '__table_args__ = (unique_while_live("tag_label_key", "label"),)\n' in tag.read_text()

    add_field(FieldsOptions("Tag", ["slug:str{40}?:unique"], project), echo=lambda line: None)

    assert (
        "    __table_args__ = (\n"
        '        unique_while_live("tag_label_key", "label"),\n'
        '        unique_while_live("tag_slug_key", "slug"),\n'
        "    )\n"
    ) in tag.read_text()
    assert "slug: Mapped[str | None] = mapped_column(String(40))\n" in tag.read_text()
    remove_field(FieldsOptions("Tag", ["slug"], project), echo=lambda line: None)
    assert tree_bytes(project) == before


def test_dry_run_prints_the_edits_as_diffs_and_writes_nothing(
    project: Path, dbscaffold: InstalledCli
) -> None:
    before = tree_bytes(project)

    result = run_ok(dbscaffold, project, "add-field", "Book", "subtitle:str{120}?", "--dry-run")

    assert tree_bytes(project) == before
    assert "      edit  src/my_service/models/book.py" in result.stdout
    assert "    create  tests/models/test_book_subtitle.py" in result.stdout
    assert "+    subtitle: Mapped[str | None] = mapped_column(String(120))" in result.stdout

    run_ok(dbscaffold, project, "add-field", "Book", "subtitle:str{120}?")
    before = tree_bytes(project)
    result = run_ok(dbscaffold, project, "remove-field", "Book", "subtitle", "--dry-run")
    assert tree_bytes(project) == before
    assert "    remove  tests/models/test_book_subtitle.py" in result.stdout
    assert "-    subtitle: Mapped[str | None] = mapped_column(String(120))" in result.stdout


def test_the_teams_own_code_around_the_class_is_kept(
    project: Path, dbscaffold: InstalledCli
) -> None:
    book = project / MODELS / "book.py"
    source = book.read_text()
    source = source.replace(
        "\n\n\nclass Book(",
        '\n\n# Owned by the catalogue team.\nSHELVES = ("a", "b")\n\n\nclass Book(',
    )
    source += "\n    def display(self) -> str:  # the shop's label\n        return self.title\n"
    book.write_text(source)

    run_ok(dbscaffold, project, "add-field", "Book", "pages:int=0", "shelf:ref:Shelf.kept?")
    grown = book.read_text()
    assert '# Owned by the catalogue team.\nSHELVES = ("a", "b")\n' in grown
    assert grown.endswith(
        "    def display(self) -> str:  # the shop's label\n        return self.title\n"
    )
    # the new columns go after the last column, before the method
    assert grown.index("pages: Mapped[int]") < grown.index("def display")

    run_ok(dbscaffold, project, "remove-field", "Book", "pages", "shelf")
    assert book.read_text() == source


# -- end to end: a table with rows grows and shrinks ------------------------------------------

#: Every kind of field an existing table can take.
GROWN = [
    "subtitle:str{120}?",
    "pages:int=0",
    "status:enum:draft:live=draft",
    "shelf:ref:Shelf?:setnull",
    "tags:many:Tag",
    "code:str{20}?:index",
    "parent:ref:Book.sequels?",
    "isbn:str{20}?:unique",
]
REMOVED = ["status", "shelf", "tags", "parent", "isbn"]

INSERT_ROWS = """
import asyncio
from my_service.db.session import create_engine, create_session_factory
from my_service.db.settings import DatabaseSettings
from my_service.models.author import Author
from my_service.models.book import Book


async def main() -> None:
    engine = create_engine(DatabaseSettings.from_env())
    async with create_session_factory(engine)() as session, session.begin():
        author = Author(name="a")
        session.add_all([Book(title=f"t{n}", author=author) for n in range(30)])
    await engine.dispose()


asyncio.run(main())
"""


DELETE_ROWS = """
import sqlite3, os
path = os.environ["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
with sqlite3.connect(path) as connection:
    connection.execute("DELETE FROM book")
"""


def grow_and_shrink(
    cli: InstalledCli, project: Path, database: dict[str, str], check: Callable[[Path], None]
) -> None:
    for name, fields in BASE_MODELS:
        cli.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    project_tool(cli, project, "python", "-c", INSERT_ROWS, env=database)

    result = cli.run("add-field", "Book", *GROWN, "--migration", cwd=project, env=database)
    assert "migrations/versions/" in result.stdout
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    project_tool(cli, project, "alembic", "check", env=database)
    check(project)

    result = cli.run("remove-field", "Book", *REMOVED, "--migration", cwd=project, env=database)
    assert "next: deploy the code without" in result.stdout
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    project_tool(cli, project, "alembic", "check", env=database)
    check(project)


@pytest.mark.slow
@pytest.mark.parametrize("primary_key", ["uuid7", "int", "dual"])
def test_a_table_with_rows_grows_and_shrinks_with_its_migrations(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment, primary_key: str
) -> None:
    project = generate(primary_key=primary_key)
    database = installed_sqlite_project(dbscaffold, project)

    grow_and_shrink(dbscaffold, project, database, lambda p: verify(p, shared_env))

    # Down again: a dropped NOT NULL column comes back without values for the rows it lost,
    # so the rows go first (verify() downgraded an empty database already).
    project_tool(dbscaffold, project, "python", "-c", DELETE_ROWS, env=database)
    project_tool(dbscaffold, project, "alembic", "downgrade", "base", env=database)


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason=on_postgresql.pytestmark[1].kwargs["reason"])
def test_a_table_with_rows_grows_and_shrinks_on_postgresql(
    generate: Generate,
    dbscaffold: InstalledCli,
    shared_env: SharedEnvironment,
    databases: Databases,
) -> None:
    project = generate(database="postgresql", primary_key="int")
    database = installed_postgresql_project(dbscaffold, project, databases)

    grow_and_shrink(
        dbscaffold, project, database, lambda p: verify_on(POSTGRES_URL, p, shared_env, databases)
    )
