"""MkDocs hook: reference tables generated from the code, so the docs cannot drift.

``<!-- dbscaffold:options -->`` becomes the table of ``copier.yml``'s questions,
``<!-- dbscaffold:field-types -->`` the table of ``dbscaffold.fields.TYPES``,
``<!-- dbscaffold:modifiers -->`` the list of field modifiers, ``<!-- dbscaffold:mixins -->``
the table of ``add-model``'s mixin flags (from ``dbscaffold.registry``). A question without
an explanation below fails the build (and so the test that runs it).
"""

from pathlib import Path
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from dbscaffold.fields import MODIFIERS, ON_DELETE, TYPES
from dbscaffold.registry import KEY_STRATEGIES, MIXINS

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK_CHART = ROOT / "benchmarks" / "results" / "latest.png"

#: What each answer changes in a generated project.
OPTION_EFFECTS = {
    "project_name": "The title of the project's README and package description.",
    "package_name": "The import name: `src/<package_name>/`. Keywords, standard-library "
    "modules and the project's own dependencies are refused, since the package would "
    "shadow them.",
    "python_version": "`requires-python`, ruff's `target-version` and mypy's "
    "`python_version`, and the CI workflow's Python.",
    "database": "`postgresql` adds `asyncpg` to the dependencies, requires `DATABASE_URL` "
    "(unset, the app and Alembic stop with a one-line error) and keeps `aiosqlite` for the "
    "tests; `sqlite` defaults to a SQLite file. Tests run on SQLite unless `DATABASE_URL` "
    "says otherwise, either way.",
    "primary_key": "The key mixin every model uses: "
    + ", ".join(f"`{key.value}` ({key.effect})" for key in KEY_STRATEGIES)
    + ".",
    **{mixin.option: f"`{mixin.class_name}`: {mixin.effect}" for mixin in MIXINS},
    "example_model": "An `Article` model with its repository, tests and initial migration.",
    "pgbouncer": "Engine settings for PgBouncer in transaction pooling mode (no prepared "
    "statement caches, unique statement names, `NullPool`) and tests that prove them.",
    "github_actions": "`.github/workflows/ci.yml`: ruff, mypy and the tests on SQLite and on "
    "a PostgreSQL service, actions pinned to commits, a read-only token; "
    "`.github/dependabot.yml`: weekly updates of those actions and of `uv.lock`.",
}


def options_table() -> str:
    questions = {
        name: spec
        for name, spec in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
        if not name.startswith("_")
    }
    missing = sorted(set(questions) - set(OPTION_EFFECTS))
    unknown = sorted(set(OPTION_EFFECTS) - set(questions))
    if missing or unknown:
        raise PluginError(f"options without docs: {missing}; docs without options: {unknown}")
    rows = ["| question | values | default | what it changes |", "|---|---|---|---|"]
    for name, spec in questions.items():
        rows.append(f"| `{name}` | {_values(spec)} | {_default(spec)} | {OPTION_EFFECTS[name]} |")
    return "\n".join(rows)


def _values(spec: dict[str, Any]) -> str:
    choices = spec.get("choices")
    if isinstance(choices, dict):
        return ", ".join(f"`{value}`" for value in choices.values())
    if isinstance(choices, list):
        return ", ".join(f"`{value}`" for value in choices)
    if spec.get("type") == "bool":
        return "`true`, `false`"
    return "text"


def _default(spec: dict[str, Any]) -> str:
    default = spec.get("default")
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, str) and "{{" in default:
        return "derived from `project_name`"
    condition = f" (asked only when {spec['when'].strip('{} ')})" if "when" in spec else ""
    return f"`{default}`{condition}"


def field_types_table() -> str:
    rows = [
        "| type | Python | SQLAlchemy | PostgreSQL | SQLite |",
        "|---|---|---|---|---|",
    ]
    for info in TYPES.values():
        rows.append(
            f"| `{info.syntax}` | {info.python} | `{info.sqlalchemy}` | {info.postgresql} "
            f"| {info.sqlite} |"
        )
    return "\n".join(rows)


def mixins_table() -> str:
    rows = ["| flag | mixin | columns | what it adds |", "|---|---|---|---|"]
    for mixin in MIXINS:
        columns = ", ".join(f"`{column}`" for column in mixin.columns)
        rows.append(f"| `{mixin.flags}` | `{mixin.class_name}` | {columns} | {mixin.help} |")
    return "\n".join(rows)


#: What each modifier that is not an ON DELETE rule does.
MODIFIER_EFFECTS = {
    "unique": "a unique constraint (on a ref: a one-to-one relationship)",
    "index": "an index on the column",
    "noinverse": "refs and many-to-many only: no inverse relationship on the target",
}


def modifiers_list() -> str:
    lines = []
    for modifier in MODIFIERS:
        if modifier in ON_DELETE:
            lines.append(f'- `{modifier}`: refs only, `ondelete="{ON_DELETE[modifier]}"`')
        elif modifier in MODIFIER_EFFECTS:
            lines.append(f"- `{modifier}`: {MODIFIER_EFFECTS[modifier]}")
        else:
            raise PluginError(f"modifier {modifier!r} has no explanation in MODIFIER_EFFECTS")
    return "\n".join(lines)


GENERATED = {
    "<!-- dbscaffold:options -->": options_table,
    "<!-- dbscaffold:field-types -->": field_types_table,
    "<!-- dbscaffold:modifiers -->": modifiers_list,
    "<!-- dbscaffold:mixins -->": mixins_table,
}


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    for marker, generate in GENERATED.items():
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return markdown


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Publish the benchmark chart, which lives with the benchmark results."""
    if BENCHMARK_CHART.is_file():
        files.append(
            File.generated(config, "benchmarks/latest.png", abs_src_path=str(BENCHMARK_CHART))
        )
    return files
