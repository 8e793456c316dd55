"""add-model in generated projects: many models, every type, refs, migrations; checks pass."""

import re

import pytest

from tests.conftest import Generate
from tests.helpers import SharedEnvironment, tree_bytes
from tests.installed import InstalledCli, installed_sqlite_project, project_tool
from tests.test_generated_projects import verify

#: Models named like SQL keywords, fields named like SQL keywords, every type,
#: one-to-many refs, a self-reference, a ref by table name and one-to-one (unique) refs.
MODELS = [
    ("User", ["email:str{320}:unique", "name:str{100}", "nickname?"]),
    ("Person", ["full_name:str{200}", "born:date?", "active:bool=true"]),
    ("Profile", ["owner:ref:User:unique", "successor:ref:Profile?:unique:setnull", "bio:text?"]),
    (
        "Order",
        [
            "order:int:index",
            "group:str{20}",
            "select:text?",
            "buyer:ref:User:cascade",
            "total:decimal{10.2}=0",
        ],
    ),
    (
        "Post",
        [
            "title:str{200}",
            "body:text?",
            "views:bigint=0",
            "rating:float?",
            "price:decimal{10,2}",
            "published:bool=false",
            "published_at:datetime?",
            "token:uuid:unique",
            "meta:json?",
            "blob:bytes?",
            "status:enum:draft:live:archived=draft",
            "author:ref:User:cascade",
            "parent:ref:Post?:setnull",
            "previous:ref:post?",
            "reviewer:ref:user?:setnull",
            "editor:ref:person?:restrict",
        ],
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("primary_key", ["uuid7", "uuid4", "int", "dual"])
def test_models_added_with_migrations_pass_every_check(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment, primary_key: str
) -> None:
    project = generate(primary_key=primary_key)
    database = installed_sqlite_project(dbscaffold, project)

    for name, fields in MODELS:
        dbscaffold.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)

    migrations = sorted(p.name for p in (project / "migrations" / "versions").glob("*.py"))
    for table in ("user", "person", "profile", "order", "post"):
        assert any(
            re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}_create_{table}_table\.py", m)
            for m in migrations
        ), migrations
    verify(project, shared_env)


@pytest.mark.slow
def test_migration_is_refused_when_the_database_is_behind(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    project = generate()
    database = installed_sqlite_project(dbscaffold, project, "empty.db", migrate=False)
    before = tree_bytes(project, ignore={".venv"})

    result = dbscaffold.run(
        "add-model", "Widget", "name", "--migration", cwd=project, env=database, check=False
    )

    assert result.returncode == 2, result.stdout + result.stderr
    assert "not at the latest migration" in result.stderr
    assert tree_bytes(project, ignore={".venv", "empty.db"}) == before


@pytest.mark.slow
def test_migration_is_refused_when_other_changes_are_pending(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    project = generate()
    database = installed_sqlite_project(dbscaffold, project)
    dbscaffold.run("add-model", "Tag", "label:str{40}", cwd=project)  # no migration
    before = tree_bytes(project, ignore={".venv"})

    result = dbscaffold.run(
        "add-model", "Widget", "name", "--migration", cwd=project, env=database, check=False
    )

    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(r"unrelated to this model: .*add_table.*tag", result.stderr), result.stderr
    assert tree_bytes(project, ignore={".venv"}) == before


@pytest.mark.slow
def test_migration_works_in_a_project_whose_hooks_run_ruff_by_name(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    """Projects generated before the hooks ran ``python -m ruff`` call ``ruff`` from PATH."""
    project = generate()
    ini = project / "alembic.ini"
    text = ini.read_text()
    for hook in ("ruff_fix", "ruff_format"):
        text = text.replace(f"{hook}.type = module", f"{hook}.type = exec")
        text = text.replace(f"{hook}.module = ruff", f"{hook}.executable = ruff")
    assert "type = module" not in text
    ini.write_text(text)
    database = installed_sqlite_project(dbscaffold, project)

    dbscaffold.run("add-model", "Widget", "name:str{40}", "--migration", cwd=project, env=database)

    [migration] = (project / "migrations" / "versions").glob("*_create_widget_table.py")
    assert 'op.create_table(\n        "widget"' in migration.read_text()  # formatted by ruff
    project_tool(dbscaffold, project, "ruff", "format", "--check", str(migration))
