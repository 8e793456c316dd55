# Runs inside the benchmark environment (matplotlib is installed only there), so mypy,
# run from the repository's venv, checks this file with matplotlib's names as Any.
# mypy: disable-error-code="import-not-found"
"""Draw the results JSON as one PNG: every ratio against its target, and the tooling times.

Usage: ``python chart.py RESULTS.json OUT.png`` (run.py does it).
"""

import json
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

GROUP_COLOURS = {
    ("sqlite", "full"): "#1f77b4",
    ("sqlite", "plain"): "#9ecae1",
    ("postgresql", "full"): "#8c564b",
    ("postgresql", "plain"): "#d9b38c",
}
GROUP_NAMES = {
    ("sqlite", "full"): "SQLite, every mixin",
    ("sqlite", "plain"): "SQLite, no mixin",
    ("postgresql", "full"): "PostgreSQL, every mixin",
    ("postgresql", "plain"): "PostgreSQL, no mixin",
}
OPERATION_NAMES = {
    "add_many": "add_many",
    "insert_many": "insert_many (bulk)",
    "get": "get by key",
    "update": "update",
    "list": "list (filtered)",
    "page": "deep page",
}
MISSED = "#d62728"
#: Ratio axes stop at this multiple of the target (longer bars are cut, labelled ">>").
CLIP = 2.2


def ratio_panel(axes: Any, results: Mapping[str, Any], key: str, title: str) -> None:
    """Grouped horizontal bars of one ratio per operation, the target as a red line."""
    groups = results["datalayer"]
    operations: list[str] = []
    for group in groups:
        for op in group["operations"]:
            if key in op["ratios"] and op["name"] not in operations:
                operations.append(op["name"])
    height = 0.8 / max(len(groups), 1)
    limit, missed = 0.0, 0
    for index, group in enumerate(groups):
        ratios = {
            op["name"]: op["ratios"][key] for op in group["operations"] if key in op["ratios"]
        }
        rows = [row for row, name in enumerate(operations) if name in ratios]
        ys = [row + index * height for row in rows]
        values = [ratios[operations[row]] for row in rows]
        medians = [v["median"] for v in values]
        errors = [
            [m - v["min"] for m, v in zip(medians, values, strict=True)],
            [v["max"] - m for m, v in zip(medians, values, strict=True)],
        ]
        group_key = (group["database"], group["shape"])
        axes.barh(
            ys,
            medians,
            height,
            xerr=errors,
            color=GROUP_COLOURS[group_key],
            label=GROUP_NAMES[group_key],
            error_kw={"lw": 0.8, "capsize": 2},
        )
        limit = values[0]["limit"] if values else limit
        for y, value in zip(ys, values, strict=True):
            colour = "black" if value["met"] else MISSED
            clipped = value["median"] > limit * CLIP
            axes.text(
                limit * CLIP * 0.98 if clipped else min(value["max"], limit * CLIP) * 1.02,
                y,
                f"{value['median']:.2f}" + (" >>" if clipped else ""),
                va="center",
                ha="right" if clipped else "left",
                fontsize=7,
                color="white" if clipped else colour,
                fontweight="normal" if value["met"] else "bold",
            )
            missed += not value["met"]
    axes.set_xlim(0, limit * CLIP * 1.08)
    axes.axvline(limit, color=MISSED, linestyle="--", linewidth=1.5)
    axes.set_yticks([row + height * (len(groups) - 1) / 2 for row in range(len(operations))])
    axes.set_yticklabels([OPERATION_NAMES.get(name, name) for name in operations])
    axes.invert_yaxis()
    verdict = "all met" if missed == 0 else f"{missed} missed (red)"
    axes.set_title(f"{title}\n{verdict}", fontsize=10)


def keyset_panel(axes: Any, results: Mapping[str, Any]) -> None:
    """Per database and model: the keyset page's speed-up over OFFSET, end to end and alone."""
    rows = [
        (group, op)
        for group in results["datalayer"]
        for op in group["operations"]
        if "offset/ours" in op["ratios"]
    ]
    missed = 0
    for row, (group, operation) in enumerate(rows):
        ratio = operation["ratios"]["offset/ours"]
        key = (group["database"], group["shape"])
        axes.barh(
            row,
            ratio["median"],
            0.6,
            color=GROUP_COLOURS[key],
            xerr=[[ratio["median"] - ratio["min"]], [ratio["max"] - ratio["median"]]],
            error_kw={"lw": 0.8, "capsize": 2},
        )
        runs = operation["runs"]
        hand = statistics.median(o / h for o, h in zip(runs["offset"], runs["hand"], strict=True))
        axes.plot(hand, row, marker="|", color="black", markersize=14, mew=2)
        extra = operation["extra_runs"]
        if extra:
            alone = statistics.median(
                o / k
                for o, k in zip(extra["database_offset"], extra["database_keyset"], strict=True)
            )
            axes.plot(alone, row, marker="D", color="#555555", markersize=6)
            axes.text(alone * 1.15, row + 0.3, f"{alone:.0f}x", fontsize=7, color="#555555")
        colour = "black" if ratio["met"] else MISSED
        axes.text(
            ratio["max"] * 1.1,
            row - 0.05,
            f"{ratio['median']:.1f}x",
            va="center",
            fontsize=8,
            color=colour,
            fontweight="normal" if ratio["met"] else "bold",
        )
        missed += not ratio["met"]
    axes.axvline(10, color=MISSED, linestyle="--", linewidth=1.5)
    axes.set_xscale("log")
    axes.set_xlim(right=max(axes.get_xlim()[1], 10) * 2.5)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([GROUP_NAMES[(g["database"], g["shape"])] for g, _ in rows])
    axes.invert_yaxis()
    axes.set_xlabel(
        "bar: ours end to end  |  black tick: hand-written keyset  |  diamond: the database alone"
    )
    verdict = "all met" if missed == 0 else f"{missed} missed (red)"
    axes.set_title(f"Deep page: keyset speed-up over OFFSET (target ≥ 10x)\n{verdict}", fontsize=10)


def tooling_panel(axes: Any, tooling: Mapping[str, Any] | None) -> None:
    """Median wall times (log scale), min-max whiskers, targets as red ticks."""
    if tooling is None:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "tooling not measured", ha="center", va="center")
        return
    labels = {
        "add_model": "add-model",
        "new": "new --defaults",
        "suite_example": "test suite,\nexample model",
        "suite_models": f"test suite,\n+{len(tooling['models_added'])} models",
    }
    figures = tooling["figures"]
    keys = list(labels)
    medians = [figures[k]["median"] for k in keys]
    errors = [
        [m - figures[k]["min"] for m, k in zip(medians, keys, strict=True)],
        [figures[k]["max"] - m for m, k in zip(medians, keys, strict=True)],
    ]
    colours = ["#2ca02c" if figures[k]["met"] is not False else MISSED for k in keys]
    axes.barh(
        range(len(keys)),
        medians,
        0.6,
        xerr=errors,
        color=colours,
        error_kw={"lw": 0.8, "capsize": 2},
    )
    axes.set_xscale("log")
    for row, key in enumerate(keys):
        value = figures[key]
        text = f"{value['median']:.2f} s"
        if value["limit"] is not None:
            axes.plot([value["limit"]] * 2, [row - 0.4, row + 0.4], color=MISSED, linewidth=2)
            text += f"  (target ≤ {value['limit']:g} s)"
        axes.text(value["max"] * 1.1, row, text, va="center", fontsize=8)
    axes.set_yticks(range(len(keys)))
    axes.set_yticklabels([labels[k] for k in keys])
    axes.invert_yaxis()
    axes.set_xlim(right=max(max(medians), 20) * 6)
    axes.set_xlabel("seconds (log scale), fresh process")
    axes.set_title("Tooling wall time (green: met or no target)", fontsize=10)


def draw(results: Mapping[str, Any], meta: Mapping[str, Any], out: Path) -> None:
    figure, panels = plt.subplots(2, 2, figsize=(15, 10))
    if results["datalayer"]:
        ratio_panel(
            panels[0][0],
            results,
            "ours/hand",
            "ours ÷ hand-written SQLAlchemy (lower is better, target ≤ 1.15)",
        )
        ratio_panel(
            panels[0][1],
            results,
            "ours/aa",
            "ours ÷ advanced-alchemy (lower is better, target ≤ 1.0)",
        )
        keyset_panel(panels[1][0], results)
        handles, names = panels[0][0].get_legend_handles_labels()
        figure.legend(handles, names, loc="lower center", ncol=4, frameon=False)
    tooling_panel(panels[1][1], results["tooling"])
    met = sum(t["met"] for t in results["targets"])
    smoke = "  —  SMOKE RUN, numbers meaningless" if meta["mode"] == "smoke" else ""
    figure.suptitle(
        f"dbscaffold benchmarks: {met} of {len(results['targets'])} targets met{smoke}\n"
        f"{meta['date']} · {meta['machine']['cores']} cores · median of {meta['runs']} runs, "
        "whiskers min-max, ratios per run",
        fontsize=12,
    )
    figure.tight_layout(rect=(0, 0.04, 1, 0.95))
    figure.savefig(out, dpi=110)
    plt.close(figure)


def main(argv: Sequence[str]) -> None:
    data = json.loads(Path(argv[0]).read_text())
    draw(data["results"], data["meta"], Path(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
