"""add-model in generated projects: many models, every type, refs, migrations; checks pass."""

import re
import sys
from pathlib import Path

import pytest

from tests.conftest import Generate
from tests.helpers import SharedEnvironment, tree_bytes
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


def dbscaffold(env: SharedEnvironment, project: Path, *args: str, **extra: str) -> str:
    return env.run(project, sys.executable, "-m", "dbscaffold", *args, **extra)


@pytest.mark.slow
@pytest.mark.parametrize("primary_key", ["uuid7", "uuid4", "int", "dual"])
def test_models_added_with_migrations_pass_every_check(
    generate: Generate, shared_env: SharedEnvironment, primary_key: str
) -> None:
    project = generate(primary_key=primary_key)
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    shared_env.run(project, "alembic", "upgrade", "head", **database)

    for name, fields in MODELS:
        dbscaffold(shared_env, project, "add-model", name, *fields, "--migration", **database)
        shared_env.run(project, "alembic", "upgrade", "head", **database)

    migrations = sorted(p.name for p in (project / "migrations" / "versions").glob("*.py"))
    for table in ("user", "person", "profile", "order", "post"):
        assert any(
            re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}_create_{table}_table\.py", m)
            for m in migrations
        ), migrations
    verify(project, shared_env)


@pytest.mark.slow
def test_migration_is_refused_when_the_database_is_behind(
    generate: Generate, shared_env: SharedEnvironment
) -> None:
    project = generate()
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/empty.db"}
    before = tree_bytes(project)

    with pytest.raises(AssertionError, match="not at the latest migration"):
        dbscaffold(shared_env, project, "add-model", "Widget", "name", "--migration", **database)

    assert tree_bytes(project, ignore={"empty.db"}) == before


@pytest.mark.slow
def test_migration_is_refused_when_other_changes_are_pending(
    generate: Generate, shared_env: SharedEnvironment
) -> None:
    project = generate()
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    shared_env.run(project, "alembic", "upgrade", "head", **database)
    dbscaffold(shared_env, project, "add-model", "Tag", "label:str{40}")  # no migration
    before = tree_bytes(project)

    with pytest.raises(AssertionError, match=r"unrelated to this model: .*add_table.*tag"):
        dbscaffold(shared_env, project, "add-model", "Widget", "name", "--migration", **database)

    assert tree_bytes(project) == before
