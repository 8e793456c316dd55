"""The whole add-model field grammar, by property: valid arguments make clean projects,
invalid ones are refused with one line, exit 2 and an untouched tree.

The strategies are built from the parser's own tables (``TYPES``, ``MODIFIERS``,
``ON_DELETE``) and its own name rules, so a type or modifier added to the grammar is
generated here without editing this file.

Example budgets are fixed and examples derandomized, so CI runs the same examples every
time: ``VALID_BUDGET`` scenarios through the installed CLI with every check (ruff, format,
mypy --strict, the project's own tests, Alembic), ``QUICK_BUDGET`` scenarios in-process
with the fast checks (ruff, format, import and mapper configuration), ``INVALID_BUDGET``
invalid argument lists in-process and ``INVALID_CLI_BUDGET`` through the CLI.
"""

import json
import keyword
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbscaffold.add_model import AddModelOptions, add_model
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import (
    MIXIN_COLUMNS,
    MODIFIERS,
    ON_DELETE,
    RESERVED_MODEL_NAMES,
    RESERVED_NAMES,
    SHADOWING_NAMES,
    TYPES,
    FieldSpecError,
    check_model_name,
    parse_field,
    table_name,
)
from dbscaffold.plan import MAX_DEFAULT_LENGTH, PK_MIXINS, python_literal
from tests.helpers import REPO_ROOT, SharedEnvironment, tree_bytes
from tests.installed import InstalledCli, install_project, project_tool

VALID_BUDGET = 4
QUICK_BUDGET = 15
INVALID_BUDGET = 100
INVALID_CLI_BUDGET = 10

#: Modifiers every type takes (the rest are ON DELETE actions, for refs only).
PLAIN_MODIFIERS = tuple(m for m in MODIFIERS if m not in ON_DELETE)
#: The model every project starts with (``example_model``, on by default).
EXAMPLE_MODEL = "Article"
#: Names that generated code uses itself, so a collision would show.
#: (those the parser refuses, like str or self, are filtered out by its own rules).
TRICKY_FIELD_NAMES = (
    "order",
    "group",
    "select",
    "user",
    "table",
    "key",
    "value",
    "name",
    "type",
    "self",
    "session",
    "repository",
    "model",
    "first",
    "second",
    "target",
    "loaded",
    "values",
    "n",
    "overrides",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "dict",
    "date",
    "datetime",
    "uuid",
    "enum",
    "mapped_column",
    "relationship",
    "postgresql",
    "pytest",
    "update",
)
TRICKY_MODEL_NAMES = ("User", "Order", "Group", "Select", "Table", "Node", "Key", "Index")

_settings = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _is_field_name(name: str) -> bool:
    """The parser's own rule: ``name`` alone is a valid field."""
    try:
        return parse_field(name).name == name
    except FieldSpecError:
        return False


def _is_enum_value(value: str) -> bool:
    if value in MODIFIERS:
        return False  # it would read as a modifier
    try:
        return parse_field(f"x:enum:{value}").enum_values == (value,)
    except FieldSpecError:
        return False


#: Identifiers are kept short (field names up to 16 characters, model names up to 15):
#: the generated tests do not yet lay out lines for long names (see the report).
field_names = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
    st.sampled_from(TRICKY_FIELD_NAMES),
).filter(_is_field_name)
enum_values = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True).filter(_is_enum_value)
model_names = st.one_of(
    st.from_regex(r"[A-Z][a-z]{1,7}([A-Z][a-z0-9]{1,6})?", fullmatch=True),
    st.sampled_from(TRICKY_MODEL_NAMES),
).filter(lambda name: name not in RESERVED_MODEL_NAMES)

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_aware = st.datetimes(
    timezones=st.builds(
        timezone, st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))
    )
)


@st.composite
def _decimal_default(draw: st.DrawFn, precision: int, scale: int) -> str:
    places = draw(st.integers(0, scale))
    digits = str(draw(st.integers(0, 10 ** (precision - scale + places) - 1)))
    digits = digits.rjust(places + 1, "0")
    sign = draw(st.sampled_from(["", "-"]))
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def _fits_a_line(text: str, kind: str) -> bool:
    """The default's Python code is at most MAX_DEFAULT_LENGTH (longer ones are refused)."""
    value: object = json.loads(text) if kind == "json" else text
    wrapper = {"json": len("lambda: "), "decimal": len('Decimal("")')}.get(kind, 0)
    return wrapper + len(python_literal(value)) <= MAX_DEFAULT_LENGTH


def _default(
    kind: str, length: int | None, sizes: tuple[int, int], values: list[str]
) -> st.SearchStrategy[str] | None:
    """A strategy for the text of a valid default, or None if ``kind`` takes none."""
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
    strategies: dict[str, st.SearchStrategy[str]] = {
        "str": text.map(lambda s: s[: length or 255]),
        "text": text,
        "int": st.integers(-(2**31), 2**31 - 1).map(str),
        "bigint": st.integers(-(2**63), 2**63 - 1).map(str),
        "float": st.floats(allow_nan=False, allow_infinity=False).map(repr),
        "decimal": _decimal_default(*sizes),
        "bool": st.sampled_from(["true", "false", "TRUE", "False"]),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime": _aware.map(lambda d: d.isoformat()),
        "uuid": st.uuids().map(str),
        "json": _json.map(json.dumps),
        "enum": st.sampled_from(values) if values else st.nothing(),
    }
    if kind in {"str", "text", "json", "decimal"}:
        return strategies[kind].filter(lambda text: _fits_a_line(text, kind))
    return strategies.get(kind)


@st.composite
def field_argument(draw: st.DrawFn, name: str, targets: list[tuple[str, bool]]) -> str:
    """One valid field argument called ``name``; ``targets``: (ref token, is self)."""
    # (an enum called repository would take the repository class's name: refused)
    kinds = [k for k in TYPES if (k != "ref" or targets) and (k, name) != ("enum", "repository")]
    kind = draw(st.sampled_from(kinds))
    type_token, tail, length, sizes = kind, [], None, (0, 0)
    must_be_nullable = False
    if kind == "str":
        length = draw(st.none() | st.integers(1, 300))
        type_token = draw(st.sampled_from(["", "str"])) if length is None else f"str{{{length}}}"
    elif kind == "decimal":
        precision = draw(st.integers(1, 30) | st.just(1000))
        scale = draw(st.integers(0, min(precision, 30)))
        sizes = (precision, scale)
        type_token = f"decimal{{{precision}{draw(st.sampled_from('.,'))}{scale}}}"
    elif kind == "enum":
        tail = draw(st.lists(enum_values, min_size=1, max_size=4, unique=True))
    elif kind == "ref":
        target, must_be_nullable = draw(st.sampled_from(targets))
        tail = [target]
    nullable = must_be_nullable or draw(st.booleans())
    modifiers = draw(st.lists(st.sampled_from(PLAIN_MODIFIERS), max_size=2))
    if kind == "ref":
        on_delete = draw(st.sampled_from([None, *ON_DELETE]))
        if on_delete and (nullable or ON_DELETE[on_delete] != "SET NULL"):
            modifiers.append(on_delete)
    if not type_token and modifiers:
        type_token = "str"
    default = _default(kind, length, sizes, tail if kind == "enum" else [])
    argument = name + (f":{type_token}" if type_token else "")
    argument += "".join(f":{t}" for t in tail) + ("?" if nullable else "")
    argument += "".join(f":{m}" for m in draw(st.permutations(modifiers)))
    if default is not None and "unique" not in modifiers and draw(st.booleans()):
        argument += "=" + draw(default)
    return argument


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
        ("primary_key", draw(st.sampled_from(sorted(PK_MIXINS)))),
        ("timestamps", draw(st.booleans())),
        ("soft_delete", draw(st.booleans())),
        ("versioning", draw(st.booleans())),
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
    """An add-model argument list with exactly one mistake, and what the mistake is."""
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
    if mistake == "field name":
        bad = draw(
            st.from_regex(r"[A-Z0-9-][A-Za-z0-9_-]{0,8}|[a-z]+-[a-z]+|_[a-z]+", fullmatch=True)
            | st.sampled_from(
                sorted(
                    {
                        *keyword.kwlist,
                        *keyword.softkwlist,
                        *RESERVED_NAMES,
                        *MIXIN_COLUMNS,
                        *SHADOWING_NAMES,
                    }
                )
            )
        )
        return [name, *_with(fields, at, f"{bad}:int")], mistake
    if mistake == "unknown type":
        bad = draw(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(
                lambda t: t not in TYPES and t not in MODIFIERS
            )
        )
        return [name, *_with(fields, at, f"{free}:{bad}")], mistake
    if mistake == "unknown modifier":
        bad = draw(
            st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(lambda m: m not in MODIFIERS)
        )
        return [name, *_with(fields, at, f"{free}:int:{bad}")], mistake
    if mistake == "on delete without ref":
        kind = draw(st.sampled_from([k for k in TYPES if k not in {"ref", "enum"}]))
        token = {"str": "str", "decimal": "decimal{4.2}"}.get(kind, kind)
        return [
            name,
            *_with(fields, at, f"{free}:{token}:{draw(st.sampled_from(sorted(ON_DELETE)))}"),
        ], mistake
    if mistake == "setnull without ?":
        return [name, *_with(fields, at, f"{free}:ref:{EXAMPLE_MODEL}:setnull")], mistake
    if mistake == "two on delete":
        pair = draw(
            st.lists(st.sampled_from(sorted(ON_DELETE)), min_size=2, max_size=2, unique=True)
        )
        return [
            name,
            *_with(fields, at, f"{free}:ref:{EXAMPLE_MODEL}?:{pair[0]}:{pair[1]}"),
        ], mistake
    if mistake == "bad size":
        token = draw(
            st.sampled_from(["str{0}", "str{}", "str{x}", "decimal", "decimal{10}", "decimal{0.0}"])
            | st.integers(1, 30).map(lambda p: f"decimal{{{p}.{p + 1}}}")
        )
        return [name, *_with(fields, at, f"{free}:{token}")], mistake
    if mistake == "bad enum":
        value = draw(enum_values)
        token = draw(st.sampled_from(["enum", f"enum:{value}:{value}", f"enum:X{value}"]))
        return [name, *_with(fields, at, f"{free}:{token}")], mistake
    if mistake == "bad default":
        token, default = draw(st.sampled_from(BAD_DEFAULTS))
        return [name, *_with(fields, at, f"{free}:{token}={default}")], mistake
    if mistake == "unique with default":
        return [name, *_with(fields, at, f"{free}:int:unique=0")], mistake
    if mistake == "unknown ref":
        target = draw(model_names.filter(lambda m: m not in {EXAMPLE_MODEL, name}))
        return [name, *_with(fields, at, f"{free}:ref:{target}?")], mistake
    if mistake == "self ref not nullable":
        return [name, *_with(fields, at, f"{free}:ref:{name}")], mistake
    if mistake == "duplicate":
        if not names:
            return [name, f"{free}:int", f"{free}:text"], mistake
        return [name, *_with(fields, at, draw(st.sampled_from(names)) + ":int")], mistake
    if mistake == "column clash":
        return [name, *_with(fields, at, f"{free}:ref:{EXAMPLE_MODEL}"), f"{free}_id:int"], mistake
    if mistake == "misplaced ?":
        return [
            name,
            *_with(fields, at, draw(st.sampled_from([f"{free}?:int?", f"{free}:in?t"]))),
        ], mistake
    raise AssertionError(mistake)


MISTAKES = (
    "model name",
    "existing model",
    "field name",
    "unknown type",
    "unknown modifier",
    "on delete without ref",
    "setnull without ?",
    "two on delete",
    "bad size",
    "bad enum",
    "bad default",
    "unique with default",
    "unknown ref",
    "self ref not nullable",
    "duplicate",
    "column clash",
    "misplaced ?",
)
BAD_DEFAULTS = (
    ("int", "abc"),
    ("int", "1.5"),
    ("bigint", "0x10"),
    ("float", "fast"),
    ("float", "nan"),
    ("float", "-inf"),
    ("decimal{4.2}", "123.4"),
    ("decimal{4.2}", "1.234"),
    ("decimal{4.2}", "NaN"),
    ("bool", "yes"),
    ("date", "2024-13-01"),
    ("datetime", "2024-01-01T00:00:00"),
    ("datetime", "soon"),
    ("uuid", "nope"),
    ("json", "{"),
    ("enum:a:b", "c"),
    ("str{3}", "long"),
    ("bytes", "abc"),
    ("ref:Article", "1"),
    ("text", "x" * (MAX_DEFAULT_LENGTH + 1)),
    ("json", json.dumps(["x" * MAX_DEFAULT_LENGTH])),
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


def test_the_strategies_cover_the_whole_grammar() -> None:
    """Every type and modifier the parser knows can be generated (no hand-kept list)."""
    kinds: set[str] = set()
    modifiers: set[str] = set()
    targets = [(EXAMPLE_MODEL, False), ("Node", True)]

    @settings(max_examples=1000, derandomize=True, database=None)
    @given(argument=field_names.flatmap(lambda n: field_argument(n, targets)))
    def collect(argument: str) -> None:
        spec = parse_field(argument)
        kinds.add(spec.kind)
        modifiers.update(spec.modifiers)

    collect()
    assert kinds == set(TYPES)
    assert modifiers == set(MODIFIERS)
