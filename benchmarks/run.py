"""Run every benchmark; write ``latest.md`` (tables), ``latest.png`` (chart), ``latest.json``.

    uv run python benchmarks/run.py            # the full run, into benchmarks/results/
    uv run python benchmarks/run.py --smoke    # tiny sizes, into a temporary directory
    uv run python benchmarks/run.py --rerender [DIR]   # latest.md/png again from latest.json

It generates two projects with ``dbscaffold new`` (every mixin on; none), builds the
benchmark environment with uv (cached), measures the data layer on SQLite and, when a
server answers, on PostgreSQL (``--postgres-url``, else ``$DBSCAFFOLD_TEST_POSTGRES_URL``,
else `.ci/databases`' port; a scratch database is created and dropped), then the tooling.
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from environment import (
    BENCH_DIR,
    SHAPES,
    BenchEnv,
    close_postgres,
    declared_requirements,
    default_cache_dir,
    ensure_environment,
    generate_project,
    open_postgres,
    postgres_url,
)
from report import analyze, render_markdown
from tooling import ToolingSizes, measure_tooling

RESULTS_DIR = BENCH_DIR / "results"
SMOKE_SIZES = {
    "read_rows": 2_000,
    "depth": 1_000,
    "add_rows": 200,
    "get_count": 50,
    "update_count": 50,
    "list_rows": 100,
    "list_repeat": 2,
    "page_repeat": 2,
}
PROFILE_LINES = 60
#: The harness's own frames around every operation, left out of profile excerpts.
HARNESS_FRAMES = re.compile(
    r"[\d.]+ (<module>|main|run|Handle\._run|measure\w*|profile_operation|<listcomp>)\s+"
    r"(datalayer\.py|asyncio/)"
    r"|frames hidden\]\s+asyncio$"
)


@dataclass(frozen=True)
class Plan:
    """What to run, and where the results go."""

    smoke: bool
    runs: int
    warmups: int
    out: Path
    postgres_url: str | None
    require_postgres: bool
    tooling: bool
    cache_dir: Path
    projects: Mapping[str, Path]

    def datalayer_sizes(self) -> dict[str, int]:
        sizes = dict(SMOKE_SIZES) if self.smoke else {}
        return {**sizes, "runs": self.runs, "warmups": self.warmups}

    def profile_operations(self) -> str:
        """Profile every operation in a full run; in a smoke run one, to keep the path alive."""
        return "get" if self.smoke else "all"

    def tooling_sizes(self) -> ToolingSizes:
        if self.smoke:
            return ToolingSizes(runs=1, warmups=0, models=1)
        return ToolingSizes(runs=self.runs, warmups=self.warmups)


def parse_args(argv: Sequence[str]) -> Plan:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, 2 runs; for CI")
    parser.add_argument("--runs", type=int, help="timed runs per figure (default 7; smoke 2)")
    parser.add_argument("--warmups", type=int, default=1, help="discarded runs first")
    parser.add_argument("--out", type=Path, help="results directory")
    parser.add_argument("--postgres-url", help="a PostgreSQL server's maintenance database")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument(
        "--require-postgres", action="store_true", help="fail instead of skipping PostgreSQL"
    )
    parser.add_argument("--skip-tooling", action="store_true", help="the data layer only")
    parser.add_argument("--cache-dir", type=Path, default=None, help="benchmark environments")
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="SHAPE=PATH",
        help="measure this generated project (e.g. a modified copy) instead of a fresh one",
    )
    args = parser.parse_args(argv)
    projects = dict(parse_project(parser, value) for value in args.project)
    runs = args.runs if args.runs is not None else (2 if args.smoke else 7)
    if runs < 1 or args.warmups < 0:
        parser.error("--runs must be at least 1 and --warmups at least 0")
    if args.out is not None:
        out = args.out
    elif args.smoke:
        out = Path(tempfile.mkdtemp(prefix="dbscaffold-bench-smoke-"))
    else:
        out = RESULTS_DIR
    return Plan(
        smoke=args.smoke,
        runs=runs,
        warmups=args.warmups,
        out=out,
        postgres_url=None if args.no_postgres else postgres_url(args.postgres_url),
        require_postgres=args.require_postgres,
        tooling=not args.skip_tooling,
        cache_dir=args.cache_dir or default_cache_dir(),
        projects=projects,
    )


def parse_project(parser: argparse.ArgumentParser, value: str) -> tuple[str, Path]:
    shape, _, path = value.partition("=")
    if shape not in SHAPES or not (Path(path) / "src").is_dir():
        parser.error(f"--project wants SHAPE=PATH with SHAPE in {sorted(SHAPES)}, got {value!r}")
    return shape, Path(path).resolve()


STARTED = time.perf_counter()


def log(message: str) -> None:
    elapsed = time.perf_counter() - STARTED
    print(f"bench [{elapsed:5.0f} s]: {message}", file=sys.stderr, flush=True)


# -- the steps --------------------------------------------------------------------


def measure_shape(
    env: BenchEnv, shape: str, project: Path, targets: Sequence[str], plan: Plan, work: Path
) -> list[dict[str, Any]]:
    """One process of ``datalayer.py measure``: every operation, on each target database."""
    log(f"data layer, {shape} model: {', '.join(t.partition('=')[0] for t in targets)}")
    out = work / f"datalayer-{shape}.json"
    arguments = [
        "measure",
        "--shape",
        shape,
        *(arg for target in targets for arg in ("--target", target)),
        "--sizes",
        json.dumps(plan.datalayer_sizes()),
        "--out",
        str(out),
        "--profile-dir",
        str(work / "profiles"),
        "--profile-operations",
        plan.profile_operations(),
    ]
    env.script("datalayer.py", *arguments, project=project)
    groups: list[dict[str, Any]] = json.loads(out.read_text())
    return groups


def measure_databases(
    env: BenchEnv, projects: Mapping[str, Path], plan: Plan, work: Path
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """SQLite, and PostgreSQL when reachable; also why a database was skipped."""
    (work / "profiles").mkdir(exist_ok=True)
    skipped: dict[str, str] = {}
    postgres = None
    if plan.postgres_url is None:
        skipped["postgresql"] = "not asked for (`--no-postgres`)."
    else:
        postgres, why = open_postgres(env, plan.postgres_url)
        if postgres is None:
            if plan.require_postgres:
                raise SystemExit(f"bench: {why}")
            log(f"skipping PostgreSQL: {why}")
            skipped["postgresql"] = why
    try:
        groups = []
        for shape, project in projects.items():
            targets = [f"sqlite=sqlite+aiosqlite:///{work / f'{shape}.db'}"]
            if postgres is not None:
                targets.append(f"postgresql={postgres.url}")
            groups += measure_shape(env, shape, project, targets, plan, work)
    finally:
        if postgres is not None:
            close_postgres(env, postgres)
    order = {"sqlite": 0, "postgresql": 1}
    return sorted(groups, key=lambda g: (order[g["database"]], g["shape"])), skipped


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    meminfo = Path("/proc/meminfo")
    memory = "unknown memory"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        cpu = names[0].split(":", 1)[1].strip() if names else cpu
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split()[1])
        memory = f"{total_kib / 1024**2:.0f} GiB memory"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "load_before": f"{os.getloadavg()[0]:.2f}",
    }


def publish_profiles(results: Mapping[str, Any], work: Path, out: Path) -> dict[str, str]:
    """Copy the profiles behind missed data-layer targets to ``out/profiles``; excerpts."""
    target_dir = out / "profiles"
    shutil.rmtree(target_dir, ignore_errors=True)
    excerpts: dict[str, str] = {}
    for target in results["targets"]:
        if target["met"] or target["area"] != "datalayer":
            continue
        contenders = target["comparison"].split("/")
        for who in contenders:
            name = f"{target['database']}-{target['shape']}-{target['operation']}-{who}.txt"
            source = work / "profiles" / name
            if name in excerpts or not source.exists():
                continue
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target_dir / name)
            excerpts[f"profiles/{name}"] = excerpt(source.read_text())
    return excerpts


def excerpt(profile: str) -> str:
    """A pyinstrument report without its banner and the harness's frames, cut short."""
    lines = profile.splitlines()
    start = next((i for i, line in enumerate(lines) if line[:1].isdigit()), 0)
    kept = [line for line in lines[start:] if not HARNESS_FRAMES.search(line)]
    return "\n".join(kept[:PROFILE_LINES])


def write_results(
    env: BenchEnv, plan: Plan, meta: dict[str, Any], results: dict[str, Any], work: Path
) -> None:
    plan.out.mkdir(parents=True, exist_ok=True)
    profiles = publish_profiles(results, work, plan.out)
    meta["profiles"] = sorted(profiles)
    json_path = write_json(plan.out, meta, results)
    (plan.out / "latest.md").write_text(render_markdown(meta, results, profiles))
    env.script("chart.py", str(json_path), str(plan.out / "latest.png"))


def write_json(out: Path, meta: dict[str, Any], results: dict[str, Any]) -> Path:
    path = out / "latest.json"
    path.write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    return path


def rerender(out: Path) -> None:
    """Write ``latest.md`` and ``latest.png`` again from ``latest.json`` (after editing
    the report's text or chart): the timings are not measured again."""
    data = json.loads((out / "latest.json").read_text())
    meta, old = data["meta"], data["results"]
    tooling = old["tooling"]
    if tooling is not None:
        figures = {key: value["runs"] for key, value in tooling["figures"].items()}
        tooling = {"models_added": tooling["models_added"], **figures}
    results = analyze(old["datalayer"], tooling)
    profiles = {
        f"profiles/{path.name}": excerpt(path.read_text())
        for path in sorted((out / "profiles").glob("*.txt"))
    }
    write_json(out, meta, results)
    (out / "latest.md").write_text(render_markdown(meta, results, profiles))
    BenchEnv(Path(meta["environment"])).script(
        "chart.py", str(out / "latest.json"), str(out / "latest.png")
    )


def command_line(argv: Sequence[str]) -> str:
    return shlex.join(["uv", "run", "python", "benchmarks/run.py", *argv])


def main(argv: Sequence[str]) -> None:
    if argv[:1] == ["--rerender"]:
        rerender(Path(argv[1]) if len(argv) > 1 else RESULTS_DIR)
        return
    plan = parse_args(argv)
    # A terminated run still drops its scratch database and removes its files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="dbscaffold-bench-"))
    meta: dict[str, Any] = {
        "mode": "smoke" if plan.smoke else "full",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command_line(argv),
        "runs": plan.runs,
        "warmups": plan.warmups,
        "python": platform.python_version(),
        "machine": machine(),
        "chart": "latest.png",
        "sizes": plan.datalayer_sizes(),
        "projects": {shape: str(path) for shape, path in plan.projects.items()},
    }
    try:
        log("generating the projects")
        projects = {
            shape: plan.projects.get(shape) or generate_project(work / f"project-{shape}", answers)
            for shape, answers in SHAPES.items()
        }
        log(f"benchmark environment under {plan.cache_dir}")
        env = ensure_environment(plan.cache_dir, declared_requirements(projects["full"]))
        meta["environment"] = str(env.root)
        datalayer, meta["skipped"] = measure_databases(env, projects, plan, work)
        tooling = None
        if plan.tooling:
            log("tooling: add-model, new, generated test suites")
            tooling = measure_tooling(env, work, plan.tooling_sizes(), projects["full"])
            meta["tooling_sizes"] = asdict(plan.tooling_sizes())
        meta["machine"]["load_after"] = f"{os.getloadavg()[0]:.2f}"
        log("writing the results")
        write_results(env, plan, meta, analyze(datalayer, tooling), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"results: {plan.out / 'latest.md'}")


if __name__ == "__main__":
    main(sys.argv[1:])
