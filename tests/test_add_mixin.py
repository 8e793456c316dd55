"""``dbscaffold add-mixin``, end to end through the installed CLI.

A project whose models were made without the mixins, with rows in their tables, gets each
mixin with ``--migration``; the migrations run on those rows (SQLite, PostgreSQL), the
rows keep their values and get the new columns' (timestamps: now; version_id: 1); the
project's own checks then pass, ``alembic check`` finds nothing, and it downgrades to base.
Bad input exits 2 with one line and an unchanged tree.
"""

import re
import subprocess
from pathlib import Path

import pytest

from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.edit_model import class_bases
from tests import test_generated_projects_postgresql as on_postgresql
from tests.conftest import Generate
from tests.helpers import REPO_ROOT, SharedEnvironment, tree_bytes
from tests.installed import InstalledCli, installed_sqlite_project, project_tool
from tests.test_generated_projects import verify
from tests.test_generated_projects_postgresql import (
    POSTGRES_URL,
    Databases,
    installed_postgresql_project,
    verify_on,
)

MODELS = Path("src/my_service/models")
NO_MIXINS = ("--no-timestamps", "--no-soft-delete", "--no-versioning")
#: Made without the mixins: a unique column, and a unique foreign key (soft delete turns
#: both into unique indexes over live rows), and a plain one.
TABLES = [
    ("Author", ["name:str{100}", "email:str{200}:unique"]),
    ("Book", ["title:str{200}", "isbn:str{13}:unique", "author:ref:Author"]),
    ("Profile", ["bio:text?", "owner:ref:Author:unique"]),
]

#: Run with the project's Python: ``insert`` rows, or ``check`` them after the migrations.
ROWS = """
import asyncio
import sys

from sqlalchemy import select

from my_service.db.session import database_lifespan, transaction
from my_service.models.author import Author
from my_service.models.book import Book
from my_service.models.profile import Profile


async def main(step: str) -> None:
    async with database_lifespan(), transaction() as session:
        if step == "insert":
            authors = [Author(name=f"a{n}", email=f"a{n}@example.com") for n in range(3)]
            session.add_all(authors)
            session.add_all(
                Book(title=f"t{n}", isbn=f"{n:013}", author=authors[n % 3]) for n in range(5)
            )
            session.add_all(Profile(bio=None, owner=author) for author in authors[:2])
            return
        for model, count in ((Author, 3), (Book, 5), (Profile, 2)):
            rows = list(await session.scalars(select(model)))
            assert len(rows) == count, (model, len(rows))
            for row in rows:
                assert row.created_at is not None and row.updated_at is not None
                assert row.deleted_at is None
                assert row.version_id == 1, row.version_id
        emails = set(await session.scalars(select(Author.email)))
        assert emails == {f"a{n}@example.com" for n in range(3)}, emails
        print("rows ok")


asyncio.run(main(sys.argv[1]))
"""


def edited_paths(stdout: str) -> set[str]:
    return set(re.findall(r"^ +edit  (\S+)$", stdout, flags=re.MULTILINE))


def created_migration(stdout: str) -> str:
    (path,) = re.findall(r"^ +create  (migrations/versions/\S+)$", stdout, flags=re.MULTILINE)
    return str(path)


def grow(cli: InstalledCli, project: Path, database: dict[str, str]) -> None:
    """Models without mixins and rows in them; then each mixin, migrated on those rows."""
    for name, fields in TABLES:
        cli.run("add-model", name, *fields, *NO_MIXINS, "--migration", cwd=project, env=database)
        project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    rows = project / "rows.py"
    rows.write_text(ROWS)
    project_tool(cli, project, "python", str(rows), "insert", env=database)

    # one model named: its own slug; then no model: the others
    one = cli.run("add-mixin", "timestamps", "Book", "--migration", cwd=project, env=database)
    assert edited_paths(one.stdout) == {str(MODELS / "book.py")}, one.stdout
    assert created_migration(one.stdout).endswith("_add_timestamps_to_book.py"), one.stdout
    project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    for option in ("timestamps", "soft_delete", "versioning"):
        result = cli.run("add-mixin", option, "--migration", cwd=project, env=database)
        expected = (
            {"author", "profile"} if option == "timestamps" else {"author", "book", "profile"}
        )
        assert edited_paths(result.stdout) == {str(MODELS / f"{m}.py") for m in expected}
        slug = f"_add_{option}_to_{len(expected)}_tables.py"
        assert created_migration(result.stdout).endswith(slug), result.stdout
        project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    # every model has each: nothing left to do
    for option in ("timestamps", "soft_delete", "versioning"):
        done = cli.run("add-mixin", option, cwd=project, env=database)
        assert done.stdout.startswith("every model has "), done.stdout

    assert project_tool(cli, project, "python", str(rows), "check", env=database).strip() == (
        "rows ok"
    )
    rows.unlink()
    book = (project / MODELS / "book.py").read_text()
    assert class_bases(book, "Book")[1:] == [
        "TimestampMixin",
        "SoftDeleteMixin",
        "VersionMixin",
        "Base",
    ], book
    assert 'unique_while_live("book_isbn_key", "isbn")' in book, book
    profile = (project / MODELS / "profile.py").read_text()
    assert 'unique_while_live("profile_owner_id_key", "owner_id")' in profile, profile
    assert "index=True" in profile, profile
    assert "unique=True" not in profile, profile
    project_tool(cli, project, "alembic", "check", env=database)


@pytest.mark.slow
def test_each_mixin_is_added_and_migrated_on_rows_on_sqlite(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment
) -> None:
    project = generate(primary_key="int", example_model=False)
    database = installed_sqlite_project(dbscaffold, project)

    grow(dbscaffold, project, database)

    verify(project, shared_env)  # ruff, format, mypy, pytest; upgrade, check, downgrade base
    project_tool(dbscaffold, project, "alembic", "downgrade", "base", env=database)


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason=on_postgresql.pytestmark[1].kwargs["reason"])
def test_each_mixin_is_added_and_migrated_on_rows_on_postgresql(
    generate: Generate,
    dbscaffold: InstalledCli,
    shared_env: SharedEnvironment,
    databases: Databases,
) -> None:
    project = generate(database="postgresql", primary_key="dual", example_model=False)
    database = installed_postgresql_project(dbscaffold, project, databases)

    grow(dbscaffold, project, database)

    verify_on(POSTGRES_URL, project, shared_env, databases)
    project_tool(dbscaffold, project, "alembic", "downgrade", "base", env=database)


@pytest.mark.slow
def test_a_failed_migration_puts_the_edited_modules_back(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    project = generate(primary_key="int", example_model=False)
    database = installed_sqlite_project(dbscaffold, project)
    for name, fields in TABLES[:2]:
        dbscaffold.run(
            "add-model", name, *fields, *NO_MIXINS, "--migration", cwd=project, env=database
        )
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)
    # alembic check passes, then autogenerate names its file so that add-mixin gives up
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("_%%(slug)s", "_%%(rev)s"))
    ignored = {".venv", "dev.db", "__pycache__", ".ruff_cache", ".mypy_cache"}
    before = tree_bytes(project, ignore=ignored)

    result = dbscaffold.run(
        "add-mixin", "soft_delete", "--migration", cwd=project, env=database, check=False
    )

    assert result.returncode != 0, result.stdout
    assert edited_paths(result.stdout) == {str(MODELS / "author.py"), str(MODELS / "book.py")}
    assert "Traceback" not in result.stderr
    assert tree_bytes(project, ignore=ignored) == before


# -- bad input --------------------------------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    """Exit 2, an ``error:`` line matching ``pattern``, maybe a hint, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines, result.stdout
    assert lines[0].startswith("error: "), result.stderr
    assert re.search(pattern, lines[0]), result.stderr
    assert all(line.startswith("hint: ") for line in lines[1:]), result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project (uuid7, every mixin, the example Article) with Shop (no mixin, a unique
    column and a ``__table_args__`` of its own) and Item (every mixin)."""
    from copier import run_copy

    project = tmp_path_factory.mktemp("add-mixin") / "project"
    run_copy(str(REPO_ROOT), str(project), defaults=True, quiet=True, vcs_ref="HEAD")
    off = dict.fromkeys(("timestamps", "soft_delete", "versioning"), False)
    add_model(AddModelOptions("Shop", ["code:str{8}:unique"], project, mixins=off), lambda _: None)
    add_model(AddModelOptions("Item", ["name:str{20}"], project), lambda _: None)
    shop = project / MODELS / "shop.py"
    shop.write_text(
        shop.read_text().replace(
            '    __tablename__ = "shop"\n',
            '    __tablename__ = "shop"\n    __table_args__ = {"comment": "shops"}\n',
        )
    )
    (project / MODELS / "broken.py").write_text(
        '"""Broken."""\n\n\nclass Broken(UUIDPrimaryKeyMixin, Base):\n'
        '    __tablename__ = "broken"\n'
        "    name: Mapped[str] = mapped_column(\n"
    )
    return project


BAD_INPUT = [
    (["nope"], r"unknown mixin 'nope'"),
    (["Timestamps"], r"unknown mixin 'Timestamps'"),
    (["timestamps", "Nobody"], r"unknown model 'Nobody'"),
    (["timestamps", "Shop", "Nobody"], r"unknown model 'Nobody'"),
    (["timestamps", "Item"], r"^error: Item already has TimestampMixin$"),
    (["versioning", "Shop", "article"], r"^error: Article already has VersionMixin$"),
    # unique columns beside a __table_args__ of its own: not merged into by hand
    (["soft_delete", "Shop"], r"Shop has unique columns and a __table_args__ of its own"),
    # a model module that does not parse
    (["soft_delete", "Broken"], r"broken\.py: a model module does not parse \(line 6\)"),
    (["soft_delete"], r"broken\.py: a model module does not parse"),
]


@pytest.mark.parametrize(
    ("args", "pattern"), BAD_INPUT, ids=[" ".join(args) for args, _ in BAD_INPUT]
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    pristine: Path, dbscaffold: InstalledCli, args: list[str], pattern: str
) -> None:
    before = tree_bytes(pristine)

    result = dbscaffold.run("add-mixin", *args, cwd=pristine, check=False)

    assert_refused(result, pattern)
    assert result.stdout == ""
    assert tree_bytes(pristine) == before


def test_a_mixin_the_project_was_made_without_is_refused_with_the_update_hint(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    project = generate(versioning=False)
    before = tree_bytes(project)

    result = dbscaffold.run("add-mixin", "versioning", cwd=project, check=False)

    assert_refused(result, r"generated without versioning")
    assert "hint: run `dbscaffold update --data versioning=true` first" in result.stderr
    assert tree_bytes(project) == before


def test_dry_run_prints_the_edits_and_writes_nothing(
    pristine: Path, dbscaffold: InstalledCli
) -> None:
    before = tree_bytes(pristine)

    result = dbscaffold.run("add-mixin", "versioning", "Item", "Article", cwd=pristine, check=False)
    assert_refused(result, "Item already has VersionMixin")
    result = dbscaffold.run("add-mixin", "timestamps", "Shop", "--dry-run", cwd=pristine)

    assert result.stdout.splitlines()[0] == "      edit  src/my_service/models/shop.py"
    assert "+class Shop(UUIDPrimaryKeyMixin, TimestampMixin, Base):" in result.stdout
    assert tree_bytes(pristine) == before


@pytest.mark.slow
def test_a_sqlite_migration_leaving_a_row_pointing_nowhere_fails_and_rolls_back(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    """Foreign keys are checked at the end of a SQLite migration, not left unenforced."""
    project = generate(primary_key="int", example_model=False)
    database = installed_sqlite_project(dbscaffold, project)
    for name, fields in TABLES[:2]:
        dbscaffold.run(
            "add-model", name, *fields, *NO_MIXINS, "--migration", cwd=project, env=database
        )
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)
    head = project_tool(dbscaffold, project, "alembic", "current", env=database)
    versions = project / "migrations" / "versions"
    (down,) = re.findall(
        r'^revision: str = "(\w+)"', max(versions.glob("*_create_book_table.py")).read_text(), re.M
    )
    (versions / "2100-01-01_dangling_book.py").write_text(
        f'"""dangling book"""\n\nfrom alembic import op\n\nrevision = "dangling"\n'
        f'down_revision = "{down}"\n\n\ndef upgrade() -> None:\n'
        "    op.execute(\"INSERT INTO book (title, isbn, author_id) VALUES ('t', '1', 999)\")\n"
    )

    with pytest.raises(
        AssertionError, match=r"a row of book \(rowid 1\) refers to a missing row of author"
    ):
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)

    # still at the revision before: the dangling row was rolled back with its migration
    after = project_tool(dbscaffold, project, "alembic", "current", env=database)
    assert after.split()[0] == head.split()[0] == down
