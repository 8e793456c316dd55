"""Relationships from ``add-model``, end to end through the installed CLI: both sides of each form.

One project per key strategy holds every form at once (many-to-one with its inverse, a
chosen inverse name, no inverse, one-to-one, many-to-many, the three ON DELETE rules, two
refs to one target, self-references), migrated with ``--migration``; its own checks then
pass. The edits to the targets' modules are checked around the class body and the imports,
byte for byte; ``--dry-run``, ``--skip`` and ``--force`` are checked against them; bad
input exits 2 with one line and an unchanged tree.
"""

import ast
import difflib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.fields import FieldSpecError, parse_field
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
from tests.test_grammar_property import IMPORT_ALL_MODELS

MODELS = Path("src/my_service/models")

#: The models the relationships point at.
TARGETS = [
    ("Author", ["name:str{100}"]),
    ("Tag", ["label:str{40}:unique"]),
    ("User", ["email:str{320}:unique", "name:str{100}"]),
]
#: Every form, a few per model: each add-model call edits the targets' modules.
RELATED = [
    # many-to-one with the default inverse, ON DELETE CASCADE; many-to-many (book_tag)
    ("Book", ["title:str{200}", "author:ref:Author:cascade", "tags:many:Tag"]),
    # one-to-one: a scalar inverse, User.profile
    ("Profile", ["bio:text?", "owner:ref:User:unique"]),
    (
        "Post",
        [
            "title:str{200}",
            # two refs to one target: User.author_posts, User.reviewer_posts
            "author:ref:User:restrict",
            "reviewer:ref:User?:setnull",
            # a chosen name, no ON DELETE rule
            "editor:ref:Author.edited_posts?",
            # no inverse at all
            "topic:ref:Tag?:noinverse",
            # many-to-many with a chosen name (post_tag)
            "labels:many:Tag.labelled_posts",
            # a self-reference with a chosen name, in the class itself
            "parent:ref:Post.replies?:setnull",
        ],
    ),
    # a self-reference with the default name; many-to-many without an inverse
    # (a model referencing itself: its many-to-one relationships are passive_deletes)
    ("Category", ["name:str{80}", "parent:ref:Category?", "tags:many:Tag:noinverse"]),
]
#: The target modules each call edits (self-references are written by the model template).
EDITED = {
    "Book": {"author", "tag"},
    "Profile": {"user"},
    "Post": {"author", "tag", "user"},
    "Category": set(),
}

Keywords = list[tuple[str, str]]

#: (module, class, attribute): the annotation and the relationship's keyword arguments, in
#: order, as ``ast.unparse`` writes them.
INVERSES: dict[tuple[str, str, str], tuple[str, Keywords]] = {
    ("author", "Author", "books"): (
        "Mapped[list['Book']]",
        [
            ("back_populates", "'author'"),
            ("lazy", "'raise'"),
            ("cascade", "'all'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("author", "Author", "edited_posts"): (
        "Mapped[list['Post']]",
        [("back_populates", "'editor'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
    ),
    ("tag", "Tag", "books"): (
        "Mapped[list['Book']]",
        [
            ("secondary", "'book_tag'"),
            ("back_populates", "'tags'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("tag", "Tag", "labelled_posts"): (
        "Mapped[list['Post']]",
        [
            ("secondary", "'post_tag'"),
            ("back_populates", "'labels'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("user", "User", "profile"): (
        "Mapped['Profile | None']",
        [("back_populates", "'owner'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
    ),
    ("user", "User", "author_posts"): (
        "Mapped[list['Post']]",
        [
            ("back_populates", "'author'"),
            ("foreign_keys", "'[Post.author_id]'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "'all'"),
        ],
    ),
    ("user", "User", "reviewer_posts"): (
        "Mapped[list['Post']]",
        [
            ("back_populates", "'reviewer'"),
            ("foreign_keys", "'[Post.reviewer_id]'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("post", "Post", "replies"): (
        "Mapped[list['Post']]",
        [("back_populates", "'parent'"), ("lazy", "'raise'"), ("passive_deletes", "True")],
    ),
    ("category", "Category", "categories"): (
        "Mapped[list['Category']]",
        [("back_populates", "'parent'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
    ),
}
#: The new models' own side of each relationship.
FORWARD: dict[tuple[str, str, str], tuple[str, Keywords]] = {
    ("book", "Book", "author"): (
        "Mapped['Author']",
        [("back_populates", "'books'"), ("lazy", "'raise'")],
    ),
    ("book", "Book", "tags"): (
        "Mapped[list['Tag']]",
        [
            ("secondary", "book_tag"),
            ("back_populates", "'books'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("profile", "Profile", "owner"): (
        "Mapped['User']",
        [("back_populates", "'profile'"), ("lazy", "'raise'")],
    ),
    ("post", "Post", "author"): (
        "Mapped['User']",
        [
            ("back_populates", "'author_posts'"),
            ("foreign_keys", "[author_id]"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("post", "Post", "reviewer"): (
        "Mapped['User | None']",
        [
            ("back_populates", "'reviewer_posts'"),
            ("foreign_keys", "[reviewer_id]"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("post", "Post", "editor"): (
        "Mapped['Author | None']",
        [("back_populates", "'edited_posts'"), ("lazy", "'raise'"), ("passive_deletes", "True")],
    ),
    ("post", "Post", "topic"): (
        "Mapped['Tag | None']",
        [("lazy", "'raise'"), ("passive_deletes", "True")],
    ),
    ("post", "Post", "labels"): (
        "Mapped[list['Tag']]",
        [
            ("secondary", "post_tag"),
            ("back_populates", "'labelled_posts'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("post", "Post", "parent"): (
        "Mapped['Post | None']",
        [
            ("back_populates", "'replies'"),
            ("remote_side", "'Post.id'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("category", "Category", "parent"): (
        "Mapped['Category | None']",
        [
            ("back_populates", "'categories'"),
            ("remote_side", "'Category.id'"),
            ("lazy", "'raise'"),
            ("passive_deletes", "True"),
        ],
    ),
    ("category", "Category", "tags"): (
        "Mapped[list['Tag']]",
        [("secondary", "category_tag"), ("lazy", "'raise'"), ("passive_deletes", "True")],
    ),
}
#: The association tables: (module, table) and the columns' code.
ASSOCIATIONS = {
    ("book", "book_tag"): [
        "Column('book_id', ForeignKey('book.id', ondelete='CASCADE'), primary_key=True)",
        "Column('tag_id', ForeignKey('tag.id', ondelete='CASCADE'), primary_key=True, index=True)",
    ],
    ("post", "post_tag"): [
        "Column('post_id', ForeignKey('post.id', ondelete='CASCADE'), primary_key=True)",
        "Column('tag_id', ForeignKey('tag.id', ondelete='CASCADE'), primary_key=True, index=True)",
    ],
    ("category", "category_tag"): [
        "Column('category_id', ForeignKey('category.id', ondelete='CASCADE'), primary_key=True)",
        "Column('tag_id', ForeignKey('tag.id', ondelete='CASCADE'), primary_key=True, index=True)",
    ],
}


# -- reading generated code -------------------------------------------------------------


def class_node(source: str, class_name: str) -> ast.ClassDef:
    [node] = [
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name
    ]
    return node


def attribute_names(source: str, class_name: str) -> list[str]:
    """The names the class body assigns, in order (annotated or not), but dunders."""
    names = []
    for statement in class_node(source, class_name).body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.append(statement.target.id)
        elif isinstance(statement, ast.Assign):
            names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
    return [name for name in names if not name.startswith("__")]


def relationship(source: str, class_name: str, attribute: str) -> tuple[str, Keywords]:
    """The annotation of ``class_name.attribute = relationship(...)`` and its keywords."""
    for statement in class_node(source, class_name).body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == attribute
        ):
            call = statement.value
            assert isinstance(call, ast.Call), ast.unparse(statement)
            assert ast.unparse(call.func) == "relationship", ast.unparse(statement)
            assert call.args == [], ast.unparse(statement)
            keywords = [(k.arg or "**", ast.unparse(k.value)) for k in call.keywords]
            return ast.unparse(statement.annotation), keywords
    raise AssertionError(f"{class_name}.{attribute} is not in:\n{source}")


def association_columns(source: str, table: str) -> list[str]:
    """The columns of ``<table> = Table("<table>", Base.metadata, ...)`` at module level."""
    for statement in ast.parse(source).body:
        if (
            isinstance(statement, ast.Assign)
            and [ast.unparse(t) for t in statement.targets] == [table]
            and isinstance(statement.value, ast.Call)
        ):
            call = statement.value
            assert ast.unparse(call.func) == "Table"
            assert [ast.unparse(a) for a in call.args[:2]] == [repr(table), "Base.metadata"]
            return [ast.unparse(a) for a in call.args[2:]]
    raise AssertionError(f"no association table {table} in:\n{source}")


def edited_paths(stdout: str) -> set[str]:
    """The files a run's status lines say it edited."""
    return set(re.findall(r"^ +edit  (\S+)$", stdout, flags=re.MULTILINE))


def module_source(project: Path, module: str) -> str:
    return (project / MODELS / f"{module}.py").read_text()


# -- every form, per key strategy ---------------------------------------------------------


def add_every_form(cli: InstalledCli, project: Path, database: dict[str, str]) -> None:
    """Add the targets, then the models pointing at them, each with its migration."""
    for name, fields in TARGETS:
        cli.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(cli, project, "alembic", "upgrade", "head", env=database)
    for name, fields in RELATED:
        result = cli.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        assert edited_paths(result.stdout) == {
            str(MODELS / f"{module}.py") for module in EDITED[name]
        }, result.stdout
        project_tool(cli, project, "alembic", "upgrade", "head", env=database)


def assert_every_form_is_written(project: Path) -> None:
    for (module, class_name, attribute), expected in {**INVERSES, **FORWARD}.items():
        source = module_source(project, module)
        assert relationship(source, class_name, attribute) == expected, (class_name, attribute)
    for (module, table), columns in ASSOCIATIONS.items():
        assert association_columns(module_source(project, module), table) == columns
    # no inverse: nothing on Tag names Post.topic or Category.tags
    tag = module_source(project, "tag")
    assert attribute_names(tag, "Tag") == ["label", "books", "labelled_posts"]
    assert 'back_populates="topic"' not in tag
    assert "categories" not in tag
    # the targets import the models they point back at for the type checker only
    author = module_source(project, "author")
    assert "from typing import TYPE_CHECKING\n" in author
    assert re.search(
        r"^if TYPE_CHECKING:\n    from my_service\.models\.book import Book\n"
        r"    from my_service\.models\.post import Post\n",
        author,
        flags=re.MULTILINE,
    ), author
    migrations = "".join(p.read_text() for p in (project / "migrations" / "versions").glob("*.py"))
    for _, table in ASSOCIATIONS:
        assert f'"{table}"' in migrations, table


@pytest.mark.slow
@pytest.mark.parametrize("primary_key", ["uuid7", "int", "dual"])
def test_every_form_is_generated_migrated_and_passes_every_check(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment, primary_key: str
) -> None:
    project = generate(primary_key=primary_key)
    database = installed_sqlite_project(dbscaffold, project)

    add_every_form(dbscaffold, project, database)

    assert_every_form_is_written(project)
    project_tool(dbscaffold, project, "alembic", "check", env=database)
    verify(project, shared_env)  # ruff, format, mypy, pytest; upgrade, check, downgrade base
    project_tool(dbscaffold, project, "alembic", "downgrade", "base", env=database)


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason=on_postgresql.pytestmark[1].kwargs["reason"])
def test_every_form_passes_its_tests_on_postgresql(
    generate: Generate,
    dbscaffold: InstalledCli,
    shared_env: SharedEnvironment,
    databases: Databases,
) -> None:
    project = generate(database="postgresql", primary_key="dual")
    database = installed_postgresql_project(dbscaffold, project, databases)

    add_every_form(dbscaffold, project, database)

    assert_every_form_is_written(project)
    verify_on(POSTGRES_URL, project, shared_env, databases)


def refused_or_added(
    cli: InstalledCli, project: Path, model: str, field: str, target: str, inverse: str
) -> None:
    """``add-model model field`` is refused in one line, or adds ``target.inverse``."""
    result = cli.run("add-model", model, field, cwd=project, check=False)
    if result.returncode == 0:
        source = module_source(project, target.lower())
        assert inverse in attribute_names(source, target), source
    else:
        assert_refused(result, "")


@pytest.mark.slow
def test_a_target_column_named_list_does_not_break_its_inverses(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment
) -> None:
    """A column ``list`` hides ``list`` from the annotations after it in the class body."""
    project = generate(primary_key="int")
    refused = dbscaffold.run("add-model", "Shop", "list:str{40}", cwd=project, check=False)
    assert_refused(refused, "'list' would hide the generated code's own 'list'")
    # a column the team wrote by hand (or that an older dbscaffold accepted)
    run_ok(dbscaffold, project, "Shop", "name:str{40}")
    shop = project / "src" / "my_service" / "models" / "shop.py"
    column = "    name: Mapped[str] = mapped_column(String(40))\n"
    shop.write_text(shop.read_text().replace(column, column + column.replace("name", "list")))

    refused_or_added(dbscaffold, project, "Order", "shop:ref:Shop", "Shop", "orders")

    shared_env.run(project, "ruff", "check", ".")
    shared_env.run(project, "mypy")
    shared_env.run(project, "python", "-W", "error", "-c", IMPORT_ALL_MODELS)


@pytest.mark.slow
def test_a_model_named_like_a_class_of_the_target_module_does_not_hide_it(
    generate: Generate, dbscaffold: InstalledCli, shared_env: SharedEnvironment
) -> None:
    """shop.py defines the enum ShopBook (of Shop.book); a model ShopBook pointing at Shop
    must not import its class over it."""
    project = generate(primary_key="int")
    run_ok(dbscaffold, project, "Shop", "book:enum:new:used")

    refused_or_added(dbscaffold, project, "ShopBook", "shop:ref:Shop", "Shop", "shop_books")

    shared_env.run(project, "ruff", "check", ".")
    shared_env.run(project, "mypy")
    shared_env.run(project, "python", "-W", "error", "-c", IMPORT_ALL_MODELS)


@pytest.mark.slow
def test_a_failed_migration_puts_the_edited_modules_back(
    generate: Generate, dbscaffold: InstalledCli
) -> None:
    project = generate(primary_key="int")
    database = installed_sqlite_project(dbscaffold, project)
    for name, fields in TARGETS:
        dbscaffold.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)
    # alembic check passes, then autogenerate names its file so that add-model gives up
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("_%%(slug)s", "_%%(rev)s"))
    ignored = {".venv", "dev.db", "__pycache__", ".ruff_cache", ".mypy_cache"}
    before = tree_bytes(project, ignore=ignored)

    args = ("Book", "author:ref:Author:cascade", "tags:many:Tag", "owner:ref:User:unique")
    result = dbscaffold.run(
        "add-model", *args, "--migration", cwd=project, env=database, check=False
    )

    assert result.returncode != 0, result.stdout
    assert edited_paths(result.stdout) == {
        str(MODELS / f"{module}.py") for module in ("author", "tag", "user")
    }
    assert "Traceback" not in result.stderr
    assert tree_bytes(project, ignore=ignored) == before


# -- the edit itself ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project (uuid7, every mixin) with Author, Tag, User and LabelTag (table label_tag)."""
    from copier import run_copy

    project = tmp_path_factory.mktemp("relationships") / "project"
    run_copy(str(REPO_ROOT), str(project), defaults=True, quiet=True, vcs_ref="HEAD")
    for name, fields in [*TARGETS, ("LabelTag", ["note:str{20}"])]:
        add_model(AddModelOptions(name, fields, project), echo=lambda line: None)
    with (project / MODELS / "user.py").open("a") as user:
        user.write("\n    def display(self) -> str:\n        return self.name\n")
    return project


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "project"))


def run_ok(cli: InstalledCli, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = cli.run("add-model", *args, cwd=project, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


#: author.py with the team's own code around and inside the class.
def hand_edited_author(source: str) -> str:
    source = source.replace(
        "\n\n\nclass Author(",
        "\n\n# Owned by the catalogue team;   keep   this   comment.\n"
        'LEGACY_NAMES = ("anonymous", "unknown")  # kept for imports\n\n\nclass Author(',
    )
    source = source.replace(
        "    name: Mapped[str] = mapped_column(String(100))\n",
        "    name: Mapped[str] = mapped_column(String(100))\n"
        "    # the display name, as the shop shows it\n\n"
        "    def shout(self) -> str:\n"
        "        return self.name.upper()  #   loudly\n",
    )
    return (
        source
        + "\n\ndef is_legacy(author: Author) -> bool:\n    return author.name in LEGACY_NAMES\n"
    )


def regions(source: str, class_name: str) -> dict[str, str]:
    """The module's text before its imports, between them and the class, and after it;
    the class body's non-blank lines; and the import statements' text."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    imports = [
        n
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
        or (isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    ]
    first = min(n.lineno for n in imports)
    last = max(n.end_lineno or n.lineno for n in imports)
    node = class_node(source, class_name)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    end = node.end_lineno or node.lineno
    return {
        "before imports": "".join(lines[: first - 1]),
        "between": "".join(lines[last : start - 1]).strip("\n"),
        "after class": "".join(lines[end:]),
        "imports": "".join(lines[first - 1 : last]),
    }


def body_lines(source: str, class_name: str, without: str | None = None) -> list[str]:
    """The class's non-blank lines, less the statement assigning ``without``."""
    node = class_node(source, class_name)
    lines = source.splitlines()
    skipped: set[int] = set()
    for statement in node.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == without
        ):
            skipped |= set(range(statement.lineno, (statement.end_lineno or 0) + 1))
    return [
        line
        for number, line in enumerate(lines[node.lineno - 1 : node.end_lineno], node.lineno)
        if line.strip() and number not in skipped
    ]


def imported_names(source: str) -> set[tuple[bool, str, str]]:
    """(under TYPE_CHECKING, module, name) of every ``from module import name``."""
    found = set()
    for node in ast.parse(source).body:
        guarded = isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body if isinstance(node, ast.If) else [node]:
            if isinstance(statement, ast.ImportFrom):
                found |= {(guarded, statement.module or "", a.name) for a in statement.names}
            elif isinstance(statement, ast.Import):
                found |= {(guarded, a.name, "") for a in statement.names}
    return found


def ruff_clean(project: Path, path: Path) -> None:
    """``path`` passes ruff check and ruff format --check, with the project's settings."""
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["check"], ["format", "--check"]):
        checked = subprocess.run(
            [ruff, *command, "--no-cache", str(path)],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_edit_changes_only_the_class_body_and_the_imports(
    project: Path, dbscaffold: InstalledCli
) -> None:
    author = project / MODELS / "author.py"
    before = hand_edited_author(author.read_text())
    author.write_text(before)
    ruff_clean(project, MODELS / "author.py")

    result = run_ok(dbscaffold, project, "Book", "title:str{200}", "author:ref:Author:cascade")

    after = author.read_text()
    assert re.search(r"^      edit  src/my_service/models/author\.py$", result.stdout, re.M)
    assert edited_paths(result.stdout) == {"src/my_service/models/author.py"}
    old, new = regions(before, "Author"), regions(after, "Author")
    for region in ("before imports", "between", "after class"):
        assert new[region] == old[region], region
    assert body_lines(after, "Author", without="books") == body_lines(before, "Author")
    assert relationship(after, "Author", "books") == INVERSES["author", "Author", "books"]
    assert imported_names(after) - imported_names(before) == {
        (False, "typing", "TYPE_CHECKING"),
        (False, "sqlalchemy.orm", "relationship"),
        (True, "my_service.models.book", "Book"),
    }
    assert imported_names(before) <= imported_names(after)
    # the imports it did not touch are as they were, line for line
    untouched = [line for line in old["imports"].splitlines() if "sqlalchemy.orm" not in line]
    assert [line for line in untouched if line not in new["imports"].splitlines()] == []
    ruff_clean(project, MODELS / "author.py")


def test_a_second_inverse_on_a_target_adds_no_second_import(
    project: Path, dbscaffold: InstalledCli
) -> None:
    run_ok(dbscaffold, project, "Book", "title:str{200}", "author:ref:Author")
    run_ok(dbscaffold, project, "Post", "title:str{200}", "writer:ref:Author")

    author = module_source(project, "author")
    assert attribute_names(author, "Author") == ["name", "books", "posts"]
    tree = ast.parse(author)
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
    assert names.count("relationship") == 1
    assert names.count("TYPE_CHECKING") == 1
    assert [ast.unparse(n.test) for n in tree.body if isinstance(n, ast.If)] == ["TYPE_CHECKING"]
    assert sorted(n for guarded, _, n in imported_names(author) if guarded) == ["Book", "Post"]
    ruff_clean(project, MODELS / "author.py")


FORMS = [
    "author:ref:Author:cascade",
    "reviewer:ref:User?:setnull",
    "owner:ref:User:unique",
    "tags:many:Tag",
]


def test_dry_run_prints_each_edit_as_a_unified_diff_and_writes_nothing(
    project: Path, dbscaffold: InstalledCli, tmp_path: Path
) -> None:
    before = tree_bytes(project)

    dry = run_ok(dbscaffold, project, "Book", "title:str{200}", *FORMS, "--dry-run")

    assert tree_bytes(project) == before
    edited = {"src/my_service/models/author.py", "src/my_service/models/tag.py"}
    edited.add("src/my_service/models/user.py")
    assert edited_paths(dry.stdout) == edited
    for path in edited:
        assert re.search(rf"^--- .*{re.escape(path)}$", dry.stdout, re.M), dry.stdout
        assert re.search(rf"^\+\+\+ .*{re.escape(path)}$", dry.stdout, re.M), dry.stdout
    assert re.search(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@", dry.stdout, re.M), dry.stdout

    # the diffs printed are the changes a real run makes
    real = run_ok(dbscaffold, project, "Book", "title:str{200}", *FORMS)
    assert edited_paths(real.stdout) == edited
    changed = []
    for path in sorted(edited):
        old = before[path].decode().splitlines()
        new = (project / path).read_text().splitlines()
        changed += [
            line
            for line in difflib.unified_diff(old, new, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
    printed = [
        line
        for line in dry.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert sorted(printed) == sorted(changed)
    assert any(
        line.startswith('+    books: Mapped[list["Book"]] = relationship(') for line in printed
    )


def test_rerunning_with_skip_or_force_changes_nothing(
    project: Path, dbscaffold: InstalledCli
) -> None:
    run_ok(dbscaffold, project, "Book", "title:str{200}", *FORMS)
    after_first = tree_bytes(project)

    skipped = run_ok(dbscaffold, project, "Book", "title:str{200}", *FORMS, "--skip")
    assert tree_bytes(project) == after_first
    assert edited_paths(skipped.stdout) == set()

    forced = run_ok(dbscaffold, project, "Book", "title:str{200}", *FORMS, "--force")
    assert tree_bytes(project) == after_first
    assert edited_paths(forced.stdout) == set()
    assert re.search(r"^ +identical  src/my_service/models/author\.py$", forced.stdout, re.M)
    assert attribute_names(module_source(project, "author"), "Author") == ["name", "books"]
    assert attribute_names(module_source(project, "user"), "User") == [
        "email",
        "name",
        "reviewer_books",
        "owner_book",
    ]


def test_force_replaces_an_inverse_it_wrote_and_refuses_anything_else_of_its_name(
    project: Path, dbscaffold: InstalledCli
) -> None:
    args = ("Book", "title:str{200}", "author:ref:Author:cascade")
    run_ok(dbscaffold, project, *args)
    author = project / MODELS / "author.py"
    generated = author.read_text()

    # ours, changed by hand: --force puts the generated one back, once
    author.write_text(
        generated.replace('cascade="all"', 'cascade="save-update"').replace(
            'lazy="raise"', 'lazy="selectin"'
        )
    )
    assert author.read_text() != generated
    forced = run_ok(dbscaffold, project, *args, "--force")
    assert author.read_text() == generated
    assert edited_paths(forced.stdout) == {"src/my_service/models/author.py"}

    # not a relationship back to Book.author: a collision, even with --force
    author.write_text(
        re.sub(
            r"    books: Mapped.*?\n    \)\n|    books: Mapped[^\n]*\n",
            "    def books(self) -> int:\n        return 0\n",
            generated,
            count=1,
            flags=re.DOTALL,
        )
    )
    assert "def books(self)" in author.read_text()
    before = tree_bytes(project)
    refused = dbscaffold.run("add-model", *args, "--force", cwd=project, check=False)
    assert_refused(refused, r"Author\.books\b.*already")
    assert tree_bytes(project) == before


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


#: Each bad input, and a pattern its error line matches (what is wrong, not how it is said).
BAD_INPUT = [
    # a missing target
    (["Book", "author:ref:Nobody"], r"unknown model 'Nobody'"),
    (["Book", "tags:many:Nobody"], r"unknown model 'Nobody'"),
    # an inverse name the target has: a column, mixin columns, a method (its own, a mixin's)
    (["Book", "author:ref:Author.name"], r"Author\.name\b.*already"),
    (["Book", "author:ref:Author.id"], r"'id' is a column the mixins add"),
    (["Book", "author:ref:Author.created_at"], r"'created_at' is a column the mixins add"),
    (["Book", "author:ref:Author.soft_delete"], r"'soft_delete'"),
    (["Book", "author:ref:Author.restore"], r"'restore'"),
    (["Book", "author:ref:Author.is_deleted"], r"'is_deleted'"),
    (["Book", "owner:ref:User.email:unique"], r"User\.email\b.*already"),
    (["Book", "tags:many:Tag.label"], r"Tag\.label\b.*already"),
    (["Book", "owner:ref:User.display"], r"User\.display\b.*already"),  # a method, by hand
    # a default inverse name the target has: Author.name for a one-to-one from Name
    (["Name", "author:ref:Author:unique"], r"Author\.name\b.*already"),
    # not a field name
    (["Book", "author:ref:Author.Books"], r"inverse name 'Books'"),
    (["Book", "author:ref:Author.class"], r"'class' is a Python keyword"),
    (["Book", "author:ref:Author._books"], r"'_books' is reserved"),
    (["Book", "author:ref:Author.metadata"], r"'metadata' is reserved"),
    (["Book", "author:ref:Author."], r"inverse name ''"),
    (["Book", "tags:many:Tag.my-books"], r"inverse name 'my-books'"),
    # two inverses on one target sharing a name: chosen twice, or chosen like a default
    (["Book", "author:ref:Author.works", "editor:ref:Author.works?"], r"Author\.works\b"),
    (
        ["Book", "editor:ref:Author?", "writer:ref:Author.editor_books?"],
        r"'editor' and 'writer' .*Author\.editor_books\b",
    ),
    (["Book", "author:ref:Author.tagged", "tags:many:Author.tagged"], r"Author\.tagged\b"),
    # a name and no inverse
    (["Book", "author:ref:Author.works:noinverse"], r"noinverse, not both"),
    (["Book", "tags:many:Tag.books:noinverse"], r"noinverse, not both"),
    # many takes no modifier, no ?, no default
    (["Book", "tags:many:Tag?"], r"many field takes no '\?'"),
    (["Book", "tags:many:Tag:unique"], r"many field takes no 'unique'"),
    (["Book", "tags:many:Tag:index"], r"many field takes no 'index'"),
    (["Book", "tags:many:Tag:cascade"], r"only apply to ref fields"),
    (["Book", "tags:many:Tag:setnull"], r"only apply to ref fields"),
    (["Book", "tags:many:Tag:restrict"], r"only apply to ref fields"),
    (["Book", "tags:many:Tag=1"], r"many field cannot have a default"),
    (["Book", "tags:many"], r"many needs a model name"),
    # many-to-many to the model itself
    (["Person", "friends:many:Person"], r"from Person to itself"),
    (["Person", "friends:many:person.followers"], r"from Person to itself"),
    # the association table exists already (LabelTag's)
    (["Label", "tags:many:Tag"], r"association table 'label_tag' exists"),
    (["Label", "title:str{200}", "tags:many:tag"], r"association table 'label_tag' exists"),
]


@pytest.mark.parametrize(
    ("args", "pattern"), BAD_INPUT, ids=[" ".join(args) for args, _ in BAD_INPUT]
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    project: Path, dbscaffold: InstalledCli, args: list[str], pattern: str
) -> None:
    before = tree_bytes(project)

    result = dbscaffold.run("add-model", *args, cwd=project, check=False)

    assert_refused(result, pattern)
    assert result.stdout == ""
    assert tree_bytes(project) == before


def test_an_inverse_the_target_has_from_another_model_is_refused(
    project: Path, dbscaffold: InstalledCli
) -> None:
    run_ok(dbscaffold, project, "Book", "author:ref:Author", "owner:ref:User:unique")
    run_ok(dbscaffold, project, "Box", "author:ref:Author.shelved", "tags:many:Tag")
    before = tree_bytes(project)

    for args, fragment in [
        (["Post", "writer:ref:Author.books"], r"Author\.books\b.*already"),  # Book's
        (["Post", "account:ref:User.book?"], r"User\.book\b.*already"),  # Book's one-to-one
        (["Post", "labels:many:Tag.boxes"], r"Tag\.boxes\b.*already"),  # Box's many-to-many
        (["Post", "labels:many:Author.shelved"], r"Author\.shelved\b.*already"),  # Box's chosen
    ]:
        result = dbscaffold.run("add-model", *args, cwd=project, check=False)
        assert_refused(result, fragment)
        assert tree_bytes(project) == before


def dynamic_tag(source: str) -> str:
    """tag.py with its class built at import time from a string (the text still shows it)."""
    start = source.index("\n\nclass Tag(") + 2
    return source[:start] + f"_SOURCE = '''\n{source[start:]}'''\nexec(_SOURCE)\n"


def test_a_target_class_that_cannot_be_edited_is_refused(
    project: Path, dbscaffold: InstalledCli
) -> None:
    tag = project / MODELS / "tag.py"
    tag.write_text(dynamic_tag(tag.read_text()))
    assert re.search(r"^class Tag\(", tag.read_text(), re.M)  # add-model still finds it
    before = tree_bytes(project)

    for args in (["Note", "tags:many:Tag"], ["Note", "topic:ref:Tag"], ["Note", "t:ref:Tag?"]):
        result = dbscaffold.run("add-model", *args, cwd=project, check=False)
        assert_refused(result, r"\btag\.py\b")
        assert result.stdout == ""
        assert tree_bytes(project) == before

    # without an inverse nothing is edited: it works
    run_ok(dbscaffold, project, "Note", "topic:ref:Tag:noinverse", "tags:many:Tag:noinverse")
    assert tag.read_bytes() == before[str(MODELS / "tag.py")]


# -- inverse names, by property, end to end ---------------------------------------------------

#: What Author has besides the field-name rules: its column and SoftDeleteMixin's methods.
AUTHOR_TAKEN = frozenset({"name", "is_deleted", "soft_delete", "restore"})

inverse_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True),
    st.sampled_from(
        ["name", "id", "created_at", "metadata", "class", "self", "str", "soft_delete", "l"]
    ),
)


def is_field_name(name: str) -> bool:
    try:
        return parse_field(name).name == name
    except FieldSpecError:
        return False


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inverse-names")


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(name=inverse_names)
def test_an_inverse_name_is_written_if_valid_and_refused_otherwise(
    name: str, pristine: Path, scratch: Path, dbscaffold: InstalledCli
) -> None:
    project = Path(shutil.copytree(pristine, Path(tempfile.mkdtemp(dir=scratch)) / "p"))
    before = tree_bytes(project)

    result = dbscaffold.run(
        "add-model", "Widget", f"author:ref:Author.{name}", cwd=project, check=False
    )

    if is_field_name(name) and name not in AUTHOR_TAKEN:
        assert result.returncode == 0, result.stdout + result.stderr
        assert relationship(module_source(project, "author"), "Author", name) == (
            "Mapped[list['Widget']]",
            [("back_populates", "'author'"), ("lazy", "'raise'"), ("passive_deletes", "'all'")],
        )
    else:
        assert_refused(result, "")
        assert tree_bytes(project) == before
    shutil.rmtree(project.parent)


# -- the reference's examples -------------------------------------------------------------------

REFERENCE = REPO_ROOT / "docs" / "add-model.md"
_BLOCK = re.compile(
    r'^```(?P<kind>\w+)(?: title="(?P<path>[^"]+)")?\n(?P<code>.*?)^```$', re.M | re.S
)


def reference_examples() -> list[tuple[str, list[str], list[tuple[str, str, str]]]]:
    """The relationship section's examples: the command, and the code blocks after it."""
    text = REFERENCE.read_text()
    section = text[text.index("\n## Relationships\n") : text.index("\n## Options\n")]
    examples: list[tuple[str, list[str], list[tuple[str, str, str]]]] = []
    for heading, body in re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", section, re.M | re.S):
        for block in _BLOCK.finditer(body):
            code = block["code"]
            if block["kind"] == "text" and code.startswith("dbscaffold add-model "):
                examples.append((heading, shlex.split(code)[2:], []))
            elif block["path"]:
                examples[-1][2].append((block["kind"], block["path"], code))
    return examples


@pytest.fixture(scope="module")
def reference_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project the reference's examples are run in: int keys, soft delete, no Article."""
    from copier import run_copy

    project = tmp_path_factory.mktemp("reference") / "project"
    answers = {"primary_key": "int", "example_model": False}
    run_copy(str(REPO_ROOT), str(project), data=answers, defaults=True, quiet=True, vcs_ref="HEAD")
    for name, fields in TARGETS:
        add_model(AddModelOptions(name, fields, project), echo=lambda line: None)
    return project


def test_the_reference_shows_every_form() -> None:
    examples = reference_examples()
    fields = [field for _, arguments, _ in examples for field in arguments]
    for form in (":ref:", ".writings", ":noinverse", ":unique", ":many:", ":cascade", ":setnull"):
        assert any(form in field for field in fields), form
    assert all(blocks for _, _, blocks in examples), examples


@pytest.mark.parametrize(
    ("heading", "arguments", "blocks"),
    reference_examples(),
    ids=[heading for heading, _, _ in reference_examples()],
)
def test_the_reference_shows_the_code_add_model_writes(
    reference_project: Path,
    tmp_path: Path,
    heading: str,
    arguments: list[str],
    blocks: list[tuple[str, str, str]],
) -> None:
    project = Path(shutil.copytree(reference_project, tmp_path / "project"))
    name, *fields = arguments
    printed: list[str] = []
    add_model(AddModelOptions(name, fields, project, dry_run=True), echo=printed.append)
    add_model(AddModelOptions(name, fields, project), echo=lambda line: None)

    for kind, path, code in blocks:
        if kind == "diff":  # as --dry-run prints it
            assert code in "\n".join(printed) + "\n", f"{heading}: {path}\n" + "\n".join(printed)
        else:
            written = (project / path).read_text()
            assert code in written, f"{heading}: {path}\n{written}"
