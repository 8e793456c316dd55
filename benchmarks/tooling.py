"""Wall times of the tooling: ``dbscaffold new``, ``add-model``, a generated test suite.

Every figure is a fresh process, timed from the outside (interpreter start-up included).
"""

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from add_model import time_add_model
from environment import REPO_ROOT, BenchEnv, dbscaffold_command, generate_project, run

#: Models a growing project adds: refs (cascade, set null, restrict, to itself), every
#: common type, uniques and defaults.
MODELS: Sequence[tuple[str, Sequence[str]]] = (
    ("Author", ("name:str{100}", "email:str{320}:unique")),
    ("Tag", ("label:str{40}:unique",)),
    ("Post", ("title:str{200}", "body:text?", "views:int=0", "author:ref:Author:cascade")),
    ("Comment", ("body:text", "post:ref:Post:cascade")),
    ("Category", ("name:str{80}", "parent:ref:Category?:setnull")),
    (
        "Product",
        (
            "name:str{120}",
            "price:decimal{10.2}",
            "active:bool=true",
            "category:ref:Category?:setnull",
        ),
    ),
    ("Customer", ("name:str{100}", "born:date?")),
    (
        "Invoice",
        ("number:str{20}:unique", "total:decimal{12.2}=0", "customer:ref:Customer:restrict"),
    ),
    (
        "Event",
        ("kind:enum:created:updated:deleted=created", "payload:json?", "happened_at:datetime"),
    ),
    ("Setting", ("setting_key:str{64}:unique", "setting_value:text?")),
)


@dataclass(frozen=True)
class ToolingSizes:
    """Repetitions for the tooling figures, and how many models the grown project gets."""

    runs: int = 7
    warmups: int = 1
    models: int = 10


def timed_runs(
    action: Callable[[int], None], runs: int, warmups: int, prepare: Callable[[int], None]
) -> list[float]:
    """``warmups`` discarded calls, then ``runs`` timed ones; ``prepare`` is untimed."""
    timings = []
    for index in range(warmups + runs):
        prepare(index)
        start = time.perf_counter()
        action(index)
        elapsed = time.perf_counter() - start
        if index >= warmups:
            timings.append(elapsed)
    return timings


def time_new(workdir: Path, sizes: ToolingSizes) -> list[float]:
    """``dbscaffold new DIR --defaults`` as a fresh process, into a new directory each time."""

    def target(index: int) -> Path:
        return workdir / f"new-{index}"

    def prepare(index: int) -> None:
        shutil.rmtree(target(index - 1), ignore_errors=True)

    def action(index: int) -> None:
        run(dbscaffold_command("new", str(target(index)), "--defaults"), cwd=REPO_ROOT)

    timings = timed_runs(action, sizes.runs, sizes.warmups, prepare)
    shutil.rmtree(target(sizes.warmups + sizes.runs - 1), ignore_errors=True)
    return timings


def add_models(env: BenchEnv, project: Path, count: int) -> list[str]:
    """Add ``count`` models with their migrations, through the CLI, as a user would."""
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{project}/dev.db"}
    env.run("alembic", "upgrade", "head", cwd=project, project=project, **database)
    added = []
    for name, fields in MODELS[:count]:
        command = dbscaffold_command("add-model", name, *fields, "--migration")
        env.run(*command, cwd=project, project=project, **database)
        env.run("alembic", "upgrade", "head", cwd=project, project=project, **database)
        added.append(name)
    (project / "dev.db").unlink()
    return added


def time_test_suite(env: BenchEnv, project: Path, sizes: ToolingSizes) -> list[float]:
    """The generated project's own ``pytest`` (on its default scratch SQLite file)."""

    def action(_: int) -> None:
        env.run(str(env.python), "-m", "pytest", "-q", cwd=project, project=project)

    return timed_runs(action, sizes.runs, sizes.warmups, prepare=lambda _: None)


def measure_tooling(
    env: BenchEnv, workdir: Path, sizes: ToolingSizes, generated: Path | None = None
) -> dict[str, object]:
    """Every tooling figure, as raw timings per name.

    ``generated``: a fresh ``dbscaffold new --defaults`` project to start from (copied).
    """
    example = workdir / "suite-example"
    if generated is None:
        generate_project(example)
    else:
        shutil.copytree(generated, example, ignore=shutil.ignore_patterns("__pycache__"))
    grown = workdir / "suite-grown"
    shutil.copytree(example, grown)
    added = add_models(env, grown, sizes.models)
    suite_example = time_test_suite(env, example, sizes)
    suite_models = time_test_suite(env, grown, sizes)
    return {
        "models_added": added,
        # benchmarks/add_model.py: one warm-up, then fresh processes adding a model
        # (to the example project, whose suite has run: the files it leaves do not matter).
        "add_model": time_add_model(example, sizes.runs),
        "new": time_new(workdir, sizes),
        "suite_example": suite_example,
        "suite_models": suite_models,
    }
