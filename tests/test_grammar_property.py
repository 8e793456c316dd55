"""The whole add-model field grammar, by property: valid arguments make clean projects,
invalid ones are refused with one line, exit 2 and an untouched tree.

The field strategies are tests/test_fields.py's, built from the parser's own tables
(``TYPES``, ``MODIFIERS``, ``ON_DELETE``) and its own name rules, so a type or modifier
added to the grammar is generated here without editing this file.

Example budgets are fixed and examples derandomized, so CI runs the same examples every
time: ``VALID_BUDGET`` scenarios through the installed CLI with every check (ruff, format,
mypy --strict, the project's own tests, Alembic), ``QUICK_BUDGET`` scenarios in-process
with the fast checks (ruff, format, import and mapper configuration), ``INVALID_BUDGET``
invalid argument lists in-process and ``INVALID_CLI_BUDGET`` through the CLI.
"""

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import RESERVED_MODEL_NAMES, check_model_name, table_name
from dbscaffold.plan import MAX_DEFAULT_LENGTH
from dbscaffold.registry import KEYS, MIXINS
from tests.helpers import REPO_ROOT, SharedEnvironment, tree_bytes
from tests.installed import InstalledCli, install_project, project_tool
from tests.test_fields import field_argument, field_names, invalid_fields

VALID_BUDGET = 4
QUICK_BUDGET = 15
INVALID_BUDGET = 30
INVALID_CLI_BUDGET = 10

#: The model every project starts with (``example_model``, on by default).
EXAMPLE_MODEL = "Article"
TRICKY_MODEL_NAMES = ("User", "Order", "Group", "Select", "Table", "Node", "Key", "Index")

_settings = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


model_names = st.one_of(
    st.from_regex(r"[A-Z][a-z]{1,7}([A-Z][a-z0-9]{1,6})?", fullmatch=True),
    st.sampled_from(TRICKY_MODEL_NAMES),
).filter(lambda name: name not in RESERVED_MODEL_NAMES)


@dataclass(frozen=True)
class Scenario:
    answers: tuple[tuple[str, Any], ...]
    models: tuple[tuple[str, tuple[str, ...]], ...]

    def __str__(self) -> str:
        options = " ".join(f"{k}={v}" for k, v in self.answers)
        calls = "; ".join(f"add-model {m} {' '.join(fields)}" for m, fields in self.models)
        return f"[{options}] {calls}"


def _model_names_other_than(tables: set[str]) -> st.SearchStrategy[str]:
    """Model names whose table is none of ``tables``."""
    return model_names.filter(lambda name: table_name(name) not in tables)


@st.composite
def scenarios(draw: st.DrawFn, max_models: int = 3) -> Scenario:
    """Project answers, then 1 to ``max_models`` add-model calls, each valid in turn."""
    answers = (
        ("primary_key", draw(st.sampled_from(sorted(KEYS)))),
        *((mixin.option, draw(st.booleans())) for mixin in MIXINS),
    )
    known = [EXAMPLE_MODEL]
    models = []
    for _ in range(draw(st.integers(1, max_models))):
        name = draw(_model_names_other_than({table_name(m) for m in known}))
        check_model_name(name)
        # By class name or by table name; the model itself (then nullable) too.
        targets = [(t, False) for m in known for t in (m, table_name(m))]
        targets += [(name, True), (table_name(name), True)]
        names = draw(st.lists(field_names, min_size=1, max_size=7, unique=True))
        fields = []
        for field_name in names:
            usable = targets if f"{field_name}_id" not in names else []
            fields.append(draw(field_argument(field_name, usable)))
        models.append((name, tuple(fields)))
        known.append(name)
    return Scenario(answers, tuple(models))


# -- projects ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("grammar")


class Projects:
    """Fresh copies of a generated project, one copier run per set of answers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pristine: dict[tuple[tuple[str, Any], ...], Path] = {}

    def fresh(self, answers: tuple[tuple[str, Any], ...]) -> Path:
        if answers not in self.pristine:
            from copier import run_copy

            target = Path(tempfile.mkdtemp(prefix="pristine-", dir=self.root)) / "project"
            run_copy(
                str(REPO_ROOT),
                str(target),
                data=dict(answers),
                defaults=True,
                quiet=True,
                vcs_ref="HEAD",
            )
            self.pristine[answers] = target
        copy = Path(tempfile.mkdtemp(prefix="example-", dir=self.root)) / "project"
        shutil.copytree(self.pristine[answers], copy)
        return copy


@pytest.fixture(scope="module")
def projects(workspace: Path) -> Projects:
    return Projects(workspace)


IMPORT_ALL_MODELS = (
    "from sqlalchemy.orm import configure_mappers; "
    "from my_service.models import import_models; "
    "import_models(); configure_mappers()"
)


def fast_checks(project: Path, env: SharedEnvironment) -> None:
    env.run(project, "ruff", "check", "--no-cache", ".")
    env.run(project, "ruff", "format", "--check", "--no-cache", ".")
    env.run(project, "python", "-W", "error", "-c", IMPORT_ALL_MODELS)


# -- valid arguments ------------------------------------------------------------------


@pytest.mark.slow
@settings(_settings, max_examples=QUICK_BUDGET)
@given(scenario=scenarios())
def test_valid_arguments_write_code_that_imports_and_is_clean(
    scenario: Scenario, projects: Projects, shared_env: SharedEnvironment
) -> None:
    project = projects.fresh(scenario.answers)
    for name, fields in scenario.models:
        add_model(AddModelOptions(name, list(fields), project), echo=lambda line: None)
    fast_checks(project, shared_env)
    shutil.rmtree(project.parent)


@pytest.mark.slow
@settings(_settings, max_examples=VALID_BUDGET)
@given(scenario=scenarios())
def test_valid_arguments_make_a_project_that_passes_every_check(
    scenario: Scenario,
    projects: Projects,
    shared_env: SharedEnvironment,
    dbscaffold: InstalledCli,
    workspace: Path,
) -> None:
    project = projects.fresh(scenario.answers)
    # as a user runs it: the installed tool, in a project with its own environment
    install_project(dbscaffold, project)
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)
    for name, fields in scenario.models:
        dbscaffold.run("add-model", name, *fields, "--migration", cwd=project, env=database)
        project_tool(dbscaffold, project, "alembic", "upgrade", "head", env=database)

    fast_checks(project, shared_env)
    shared_env.run(project, "mypy", MYPY_CACHE_DIR=str(workspace / "mypy-cache"))
    shared_env.run(project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider")
    scratch = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/scratch.db"}
    for command in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
        project_tool(dbscaffold, project, "alembic", *command, env=scratch)
    shutil.rmtree(project.parent)


# -- invalid arguments ----------------------------------------------------------------


def _with(fields: list[str], index: int, argument: str) -> list[str]:
    return [*fields[:index], argument, *fields[index:]]


@st.composite
def invalid_calls(draw: st.DrawFn) -> tuple[list[str], str]:
    """An add-model argument list with exactly one mistake, and what the mistake is.

    The parser's own mistakes (tests/test_fields.py checks them one by one, without a
    project) are one kind of mistake among those only the project or the planner finds.
    """
    name = draw(model_names.filter(lambda m: table_name(m) != table_name(EXAMPLE_MODEL)))
    targets = [(EXAMPLE_MODEL, False), (name, True)]
    names = draw(st.lists(field_names, min_size=0, max_size=3, unique=True))
    fields = [draw(field_argument(n, targets if f"{n}_id" not in names else [])) for n in names]
    free = draw(field_names.filter(lambda n: n not in names and f"{n}_id" not in names))
    at = draw(st.integers(0, len(fields)))
    mistake = draw(st.sampled_from(MISTAKES))
    if mistake == "model name":
        bad = draw(
            st.from_regex(
                r"[a-z][a-zA-Z0-9]{0,8}|[A-Z][a-z]+_[a-z]+|[0-9][A-Za-z]*", fullmatch=True
            )
            | st.sampled_from(["None", "True", "False", ""])
        )
        return [bad, *fields], mistake
    if mistake == "existing model":
        taken = st.sampled_from([EXAMPLE_MODEL, *sorted(RESERVED_MODEL_NAMES)])
        return [draw(taken), *fields], mistake
    if mistake == "field":
        arguments, field_mistake = draw(invalid_fields(targets=tuple(targets)))
        return [name, *arguments], field_mistake
    if mistake == "default too long":
        token, default = draw(st.sampled_from(LONG_DEFAULTS))
        return [name, *_with(fields, at, f"{free}:{token}={default}")], mistake
    if mistake == "unknown ref":
        target = draw(model_names.filter(lambda m: m not in {EXAMPLE_MODEL, name}))
        return [name, *_with(fields, at, f"{free}:ref:{target}?")], mistake
    if mistake == "self ref not nullable":
        return [name, *_with(fields, at, f"{free}:ref:{name}")], mistake
    raise AssertionError(mistake)


MISTAKES = (
    "model name",
    "existing model",
    "field",
    "default too long",
    "unknown ref",
    "self ref not nullable",
)
#: Defaults the parser takes but the planner refuses: too long for one line of code.
LONG_DEFAULTS = (
    ("text", "x" * (MAX_DEFAULT_LENGTH + 1)),
    ("json", json.dumps({"x": "x" * MAX_DEFAULT_LENGTH})),
)


@pytest.fixture(scope="module")
def invalid_project(projects: Projects) -> Iterator[Path]:
    project = projects.fresh((("primary_key", "uuid7"),))
    yield project
    shutil.rmtree(project.parent)


@settings(_settings, max_examples=INVALID_BUDGET)
@given(call=invalid_calls())
def test_invalid_arguments_are_refused_in_one_line(
    call: tuple[list[str], str], invalid_project: Path
) -> None:
    (name, *fields), mistake = call
    before = tree_bytes(invalid_project)

    with pytest.raises(DbscaffoldError) as refused:
        add_model(AddModelOptions(name, fields, invalid_project), echo=lambda line: None)

    assert refused.value.exit_code == 2, mistake
    assert "\n" not in refused.value.message
    assert "\n" not in refused.value.hint
    assert tree_bytes(invalid_project) == before


@pytest.mark.slow
@settings(_settings, max_examples=INVALID_CLI_BUDGET)
@given(call=invalid_calls())
def test_invalid_arguments_exit_2_through_the_cli(
    call: tuple[list[str], str], invalid_project: Path, dbscaffold: InstalledCli
) -> None:
    arguments, mistake = call
    before = tree_bytes(invalid_project)

    result = dbscaffold.run("add-model", "--", *arguments, cwd=invalid_project, check=False)

    assert result.returncode == 2, (mistake, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert all(line.startswith("hint: ") for line in lines[1:]), result.stderr
    assert result.stdout == ""
    assert tree_bytes(invalid_project) == before
