"""From raw timings to results: medians, per-run ratios, targets, and the Markdown file."""

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CONTENDERS = {
    "ours": "ours",
    "hand": "hand-written",
    "aa": "advanced-alchemy",
    "offset": "OFFSET",
}
NONE = "n/a"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SHAPES = {"full": "every mixin", "plain": "no mixin"}


@dataclass(frozen=True)
class Comparison:
    """A ratio of two contenders' times, taken run by run, and its target."""

    key: str
    numerator: str
    denominator: str
    limit: float
    at_most: bool
    label: str

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def target(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}"


COMPARISONS = (
    Comparison("ours/hand", "ours", "hand", 1.15, True, "ours / hand-written"),
    Comparison("ours/aa", "ours", "aa", 1.0, True, "ours / advanced-alchemy"),
    Comparison("offset/ours", "offset", "ours", 10.0, False, "OFFSET / keyset"),
)


@dataclass(frozen=True)
class ToolingFigure:
    key: str
    label: str
    limit: float | None = None


TOOLING = (
    ToolingFigure("add_model", "`dbscaffold add-model` (fresh process)", 0.5),
    ToolingFigure("new", "`dbscaffold new --defaults` (fresh process)"),
    ToolingFigure("suite_example", "generated test suite, example model (SQLite)"),
    ToolingFigure("suite_models", "generated test suite, + {models} added models (SQLite)", 20.0),
)

#: Why a target is missed, by (operation, comparison): written from the profiles.
EXPLANATIONS: Mapping[tuple[str, str], str] = {
    ("add_many", "ours/hand"): (
        "**Cannot be met by `add_many` as specified.** The baseline is Core `insert()` with "
        "a list of parameter sets: one `executemany`, no objects. `add_many` takes entities "
        "and returns them persistent, keys and server defaults readable (its contract), so "
        "it must build 10,000 ORM objects and run the unit of work; the profiles show that "
        "work (object construction, `add_all`, the flush's bookkeeping and the RETURNING of "
        "`created_at`/`updated_at`) is the whole difference. advanced-alchemy's `add_many` "
        "does the same and costs the same. With an integer key on SQLite it is worse still: "
        "SQLite cannot return generated keys of a multi-row INSERT in order, so SQLAlchemy "
        "sends one INSERT per row. For the rows nobody needs back the repository has a bulk "
        "path, `insert_many(rows)`: the ORM's bulk INSERT from column values (defaults, "
        "server defaults and the version counter still apply), measured against the same "
        "Core insert in its own row of the table above."
    ),
    ("add_many", "ours/aa"): (
        "Both run the same ORM unit of work (`add_all` + `flush`), so the ratio sits at 1.0 "
        "and the runs fall on both sides of it. With every mixin the models differ a little: "
        "advanced-alchemy fills its timestamps in Python, so its INSERT returns nothing, "
        "while ours are set by the database and come back through RETURNING, readable "
        "after the flush without IO; with no mixin the two do the same work."
    ),
    ("get", "ours/hand"): (
        "One `session.get` each; ours adds the soft-delete check. The template's first "
        "version spent 84 extra Python calls per `get` (cProfile) in the filter hook, which "
        "built a new `with_loader_criteria` option for every statement; now the option is "
        "built once, the opt-out is tested first, and `get` without loader options loads "
        "the row unfiltered and checks `deleted_at` itself (27 extra calls). What is left "
        "is within run-to-run noise (the runs fall on both sides of the target)."
    ),
    ("get", "ours/aa"): (
        "Ours is one `session.get` (plus, with soft delete, a check of `deleted_at`) and "
        "advanced-alchemy one `select` by key: the same work, within noise of each other."
    ),
    ("insert_many", "ours/hand"): (
        "The ORM's bulk INSERT from column values is Core's `executemany` plus a little "
        "per-row bookkeeping (defaults, the version counter): within noise of Core."
    ),
    ("update", "ours/hand"): (
        "Both set the attribute and flush (the ORM's UPDATE ... WHERE version_id = :v); "
        "ours adds a column-name check: within run-to-run noise."
    ),
    ("list", "ours/hand"): (
        "Same SQL; ours fetches one row more (to know whether there is a next page), encodes "
        "the next cursor and, with soft delete, goes through the filter hook. A few percent, "
        "within run-to-run noise on this machine."
    ),
    ("list", "ours/aa"): (
        "Same SQL and the same ORM loading of 1,000 rows, through each side's own column "
        "types; ours fetches one row more (to know whether there is a next page) and encodes "
        "the next cursor. A few percent either way, and the runs fall on both sides of 1.0: "
        "within run-to-run noise."
    ),
    ("page", "ours/hand"): (
        "Building the keyset query per request: `sort_columns`, decoding the cursor (base64 + "
        "JSON), a `tuple_()` row-value comparison with `literal()` binds, six generative "
        "`Select` copies and the next cursor, against the hand-written `where(id > :last)`; "
        "the first version cost 0.3-0.5 ms per page more. The template now builds a plain "
        "comparison when the key is the only sort column, caches the primary-key lookup and "
        "makes two fewer statement copies; what is left (profile below) is decoding and "
        "encoding the cursor, within run-to-run noise."
    ),
    ("page", "ours/aa"): "See the row against hand-written SQLAlchemy.",
    ("page", "offset/ours"): (
        "**Not reachable end to end at this depth on this machine, by any keyset "
        "implementation.** The database does the keyset page far more than 10x faster than "
        "the OFFSET one (the last column of the table above), but each request also pays a "
        "fixed cost that OFFSET does not change: the session, the async driver's round trip "
        "and 50 ORM objects, about a millisecond here (the keyset column). The hand-written "
        "keyset query shows the same ceiling. OFFSET's cost grows with the depth and the "
        "keyset's does not, so the ratio keeps growing past depth 50,000."
    ),
}


def stats(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratio_runs(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Ratios of times measured in the same run (the i-th of each)."""
    return [n / d for n, d in zip(numerator, denominator, strict=True)]


def analyze_operation(operation: Mapping[str, Any]) -> dict[str, Any]:
    """Add each contender's summary and each applicable ratio to a raw operation."""
    runs: Mapping[str, list[float]] = operation["runs"]
    ratios = {}
    for comparison in COMPARISONS:
        if comparison.numerator in runs and comparison.denominator in runs:
            values = ratio_runs(runs[comparison.numerator], runs[comparison.denominator])
            summary = stats(values)
            ratios[comparison.key] = {
                "runs": values,
                **summary,
                "limit": comparison.limit,
                "met": comparison.met(summary["median"]),
                # The runs fall on both sides of the target: the verdict is within noise.
                "within_noise": summary["min"] <= comparison.limit <= summary["max"],
            }
    return {
        **operation,
        "summary": {who: stats(values) for who, values in runs.items()},
        "ratios": ratios,
    }


def analyze_tooling(raw: Mapping[str, Any]) -> dict[str, Any]:
    figures = {}
    for figure in TOOLING:
        summary = stats(raw[figure.key])
        met = None if figure.limit is None else summary["median"] <= figure.limit
        figures[figure.key] = {
            "runs": raw[figure.key],
            **summary,
            "limit": figure.limit,
            "met": met,
        }
    return {"models_added": raw["models_added"], "figures": figures}


def analyze(
    datalayer: Iterable[Mapping[str, Any]], tooling: Mapping[str, Any] | None
) -> dict[str, Any]:
    groups = [
        {**group, "operations": [analyze_operation(op) for op in group["operations"]]}
        for group in datalayer
    ]
    analyzed_tooling = analyze_tooling(tooling) if tooling is not None else None
    return {
        "datalayer": groups,
        "tooling": analyzed_tooling,
        "targets": targets(groups, analyzed_tooling),
    }


def targets(
    groups: Sequence[Mapping[str, Any]], tooling: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Every target with its measured median, flattened for the summary and the chart."""
    found = []
    comparisons = {c.key: c for c in COMPARISONS}
    for group in groups:
        for operation in group["operations"]:
            for key, ratio in operation["ratios"].items():
                comparison = comparisons[key]
                found.append(
                    {
                        "area": "datalayer",
                        "database": group["database"],
                        "shape": group["shape"],
                        "operation": operation["name"],
                        "comparison": key,
                        "what": f"{comparison.label}: {operation['label']}",
                        "median": ratio["median"],
                        "min": ratio["min"],
                        "max": ratio["max"],
                        "limit": comparison.limit,
                        "at_most": comparison.at_most,
                        "met": ratio["met"],
                    }
                )
    if tooling is not None:
        for figure in TOOLING:
            value = tooling["figures"][figure.key]
            if figure.limit is not None:
                found.append(
                    {
                        "area": "tooling",
                        "operation": figure.key,
                        "what": tooling_label(figure, tooling),
                        "median": value["median"],
                        "min": value["min"],
                        "max": value["max"],
                        "limit": figure.limit,
                        "at_most": True,
                        "met": value["met"],
                    }
                )
    return found


def tooling_label(figure: ToolingFigure, tooling: Mapping[str, Any]) -> str:
    return figure.label.format(models=len(tooling["models_added"]))


# -- Markdown ---------------------------------------------------------------------


def unit(value: float) -> tuple[float, str, int]:
    """The scale, unit and decimals that suit ``value`` seconds."""
    if value >= 1:
        return 1, "s", 2
    if value >= 0.01:
        return 1000, "ms", 0
    return 1000, "ms", 2


def seconds(value: float) -> str:
    scale, name, decimals = unit(value)
    return f"{value * scale:.{decimals}f} {name}"


def timing_cell(summary: Mapping[str, float]) -> str:
    """``median (min-max)`` in the median's unit."""
    scale, name, decimals = unit(summary["median"])
    low, high = (f"{summary[k] * scale:.{decimals}f}" for k in ("min", "max"))
    return f"{summary['median'] * scale:.{decimals}f} {name} ({low}-{high})"


def ratio_cell(ratio: Mapping[str, Any] | None, speedup: bool = False) -> str:
    if ratio is None:
        return NONE
    mark = "✅" if ratio["met"] else "❌"
    if speedup:
        text = f"{ratio['median']:.1f}x ({ratio['min']:.1f}-{ratio['max']:.1f})"
    else:
        text = f"{ratio['median']:.2f} ({ratio['min']:.2f}-{ratio['max']:.2f})"
    noise = " ~" if ratio.get("within_noise") else ""
    return f"{mark} **{text}**{noise}" if not ratio["met"] else f"{mark} {text}{noise}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def datalayer_section(results: Mapping[str, Any], meta: Mapping[str, Any]) -> list[str]:
    lines = ["## Data layer", ""]
    lines += [
        "Each cell: median (min-max) of the timed block; ratios are taken run by run "
        "(ours and the other contender in the same round), then summarised. "
        "`~`: the runs fall on both sides of the target, so the verdict is within noise.",
        "",
    ]
    for database, title in DATABASES.items():
        groups = [g for g in results["datalayer"] if g["database"] == database]
        if not groups:
            note = meta.get("skipped", {}).get(database, "not measured")
            lines += [f"### {title}", "", f"**Skipped:** {note}", ""]
            continue
        lines += [f"### {title} — {groups[0]['versions']['database']}", ""]
        lines += table(
            [
                "operation",
                "model",
                "ours",
                "hand-written",
                "advanced-alchemy",
                "ours / hand (≤ 1.15)",
                "ours / aa (≤ 1.0)",
            ],
            (
                [
                    operation["label"],
                    SHAPES[group["shape"]],
                    *(
                        timing_cell(operation["summary"][who])
                        if who in operation["summary"]
                        else NONE
                        for who in ("ours", "hand", "aa")
                    ),
                    ratio_cell(operation["ratios"].get("ours/hand")),
                    ratio_cell(operation["ratios"].get("ours/aa")),
                ]
                for group in groups
                for operation in group["operations"]
            ),
        )
        lines.append("")
    return lines


def per_request(values: Sequence[float], repeat: int) -> dict[str, float]:
    return stats([value / repeat for value in values])


def keyset_row(group: Mapping[str, Any], operation: Mapping[str, Any]) -> list[str]:
    runs, extra, repeat = operation["runs"], operation["extra_runs"], operation["repeat"]
    hand = stats(ratio_runs(runs["offset"], runs["hand"]))
    database = NONE
    if extra:
        speedup = stats(ratio_runs(extra["database_offset"], extra["database_keyset"]))
        database = (
            f"{seconds(statistics.median(extra['database_keyset']))} vs "
            f"{seconds(statistics.median(extra['database_offset']))}: "
            f"{speedup['median']:.0f}x"
        )
    return [
        DATABASES[group["database"]],
        SHAPES[group["shape"]],
        timing_cell(per_request(runs["ours"], repeat)),
        timing_cell(per_request(runs["offset"], repeat)),
        ratio_cell(operation["ratios"]["offset/ours"], speedup=True),
        f"{hand['median']:.1f}x",
        database,
    ]


def keyset_section(results: Mapping[str, Any]) -> list[str]:
    rows = [
        keyset_row(group, operation)
        for group in results["datalayer"]
        for operation in group["operations"]
        if "offset/ours" in operation["ratios"]
    ]
    if not rows:
        return []
    sizes = results["datalayer"][0]["sizes"]
    header = [
        "database",
        "model",
        "keyset (ours), per page",
        "OFFSET, per page",
        "speed-up (≥ 10x)",
        "hand-written keyset's speed-up",
        "database alone: keyset vs OFFSET",
    ]
    return [
        "## Keyset pagination versus OFFSET",
        "",
        f"A page of {sizes['page_size']} rows at depth {sizes['depth']:,} of "
        f"{sizes['read_rows']:,}, end to end (session, driver, ORM objects), and the "
        "database's own time for the same two queries (PostgreSQL: EXPLAIN ANALYZE; "
        "SQLite: the synchronous sqlite3 module).",
        "",
        *table(header, rows),
        "",
    ]


def tooling_section(results: Mapping[str, Any]) -> list[str]:
    tooling = results["tooling"]
    if tooling is None:
        return ["## Tooling", "", "Not measured (`--skip-tooling`).", ""]
    rows = []
    for figure in TOOLING:
        value = tooling["figures"][figure.key]
        target = NONE if figure.limit is None else f"≤ {seconds(figure.limit)}"
        mark = {None: "", True: "✅", False: "❌"}[value["met"]]
        rows.append(
            [
                tooling_label(figure, tooling),
                seconds(value["median"]),
                seconds(value["min"]),
                seconds(value["max"]),
                f"{mark} {target}".strip(),
            ]
        )
    models = ", ".join(tooling["models_added"])
    return [
        "## Tooling",
        "",
        *table(["what", "median", "min", "max", "target"], rows),
        "",
        f"The grown project adds, with `add-model --migration`: {models}.",
        "",
    ]


def summary_section(results: Mapping[str, Any]) -> list[str]:
    found = results["targets"]
    missed = [t for t in found if not t["met"]]
    lines = [
        "## Targets",
        "",
        f"**{len(found) - len(missed)} of {len(found)} met.**" + (" Missed:" if missed else ""),
        "",
    ]
    for target in missed:
        where = ""
        if target["area"] == "datalayer":
            where = f"{DATABASES[target['database']]}, {SHAPES[target['shape']]}: "
        sign = "≤" if target["at_most"] else "≥"
        verdict = f"{target['median']:.2f} (target {sign} {target['limit']:g})"
        lines.append(f"- {where}{target['what']}: {verdict}")
    return [*lines, ""] if missed else lines


def environment_section(meta: Mapping[str, Any], results: Mapping[str, Any]) -> list[str]:
    machine = meta["machine"]
    versions: dict[str, str] = {}
    for group in results["datalayer"]:
        versions.update({k: v for k, v in group["versions"].items() if k != "database"})
    databases = sorted({g["versions"]["database"] for g in results["datalayer"]})
    rows = [
        ["machine", f"{machine['cpu']}, {machine['cores']} cores, {machine['memory']}"],
        ["system", machine["platform"]],
        [
            "load average (1 min) before / after",
            f"{machine['load_before']} / {machine['load_after']}",
        ],
        ["Python (harness / measurements)", f"{meta['python']} / {versions.get('python', NONE)}"],
        *(
            [name, version]
            for name, version in versions.items()
            if name not in {"python", "python_implementation"}
        ),
        ["databases", "; ".join(databases) or NONE],
    ]
    return ["## Machine and versions", "", *table(["", ""], rows), ""]


def explanations_section(results: Mapping[str, Any], profiles: Mapping[str, str]) -> list[str]:
    """Each missed target's explanation, with the profiles of one case that misses it."""
    missed = [t for t in results["targets"] if not t["met"]]
    if not missed:
        return []
    lines = ["## Targets missed, and why", ""]
    cases: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for target in missed:
        cases.setdefault((target["operation"], target.get("comparison", "")), []).append(target)
    for key, targets in cases.items():
        first = targets[0]
        where = [
            f"{DATABASES[t['database']]}, {SHAPES[t['shape']]}"
            for t in targets
            if t["area"] == "datalayer"
        ]
        lines += [f"### {first['what'].split(': ')[0]}: {first['operation']}", ""]
        if where:
            lines += [f"Missed on: {'; '.join(where)}.", ""]
        lines += [EXPLANATIONS.get(key, "Not analysed: see the profiles."), ""]
        if first["area"] == "datalayer":
            lines += profile_blocks(first, profiles)
    return lines


def profile_blocks(target: Mapping[str, Any], profiles: Mapping[str, str]) -> list[str]:
    """The first missing case's profiles, one per contender of the comparison."""
    lines = []
    for who in target["comparison"].split("/"):
        name = f"profiles/{target['database']}-{target['shape']}-{target['operation']}-{who}.txt"
        if name in profiles:
            lines += [
                f'<details><summary>{CONTENDERS[who]}: <a href="{name}">{name}</a></summary>',
                "",
                "```",
                profiles[name],
                "```",
                "</details>",
                "",
            ]
    return lines


def method_section() -> list[str]:
    return [
        "## How it is measured",
        "",
        "- **ours**: the generated project's `Repository` subclass and session factory "
        "(`dbscaffold new`, so the code every new project gets), over a model made of the "
        "project's `Base` and mixins.",
        "- **hand-written**: the fastest idiomatic SQLAlchemy 2.x for the same work, on the "
        "same mapped class with a plain `AsyncSession`: Core `insert()` with a list of "
        "parameter sets; `session.get` (plus a `deleted_at` check); set the attribute and "
        "`flush()` (the ORM's version check); `select ... where deleted_at is null "
        "order by id limit n`; a keyset `where id > :last` page.",
        "- **advanced-alchemy**: `SQLAlchemyAsyncRepository` (`add_many`, `get`, `update`, "
        "`get_many` with `LimitOffset`) on `UUIDv7AuditBase` / `IdentityBase` models with the "
        "same columns (plus `deleted_at` and a `version_id_col`, which it has no mixin for).",
        "- **OFFSET**: the same page as the keyset one, by `OFFSET depth LIMIT 50`.",
        "- One process per model shape (SQLite, then PostgreSQL); the same rows for every "
        "contender; every "
        "contender runs once per round, in rotated order, after warm-up rounds; mutating "
        "operations start each round from fresh rows. Only the operation is timed: not the "
        "setup, not the commit. Sessions start with an empty identity map.",
        "- Tooling figures are fresh processes timed from outside.",
        "",
    ]


def render_markdown(
    meta: Mapping[str, Any], results: Mapping[str, Any], profiles: Mapping[str, str]
) -> str:
    header = [
        "# dbscaffold benchmarks",
        "",
        f"{meta['mode'].capitalize()} run, {meta['date']}: `{meta['command']}` — every figure "
        f"is the median of {meta['runs']} runs after {meta['warmups']} warm-up, with min-max.",
        "",
    ]
    if meta["mode"] == "smoke":
        header += ["**Smoke run: tiny sizes, the numbers mean nothing.**", ""]
    header += [f"![benchmarks at a glance]({meta['chart']})", ""]
    sections = [
        header,
        summary_section(results),
        datalayer_section(results, meta),
        keyset_section(results),
        tooling_section(results),
        explanations_section(results, profiles),
        environment_section(meta, results),
        method_section(),
    ]
    return "\n".join(line for section in sections for line in section).rstrip() + "\n"
