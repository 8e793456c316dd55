"""Which option combinations the end-to-end tests generate.

Every value of every question in ``copier.yml`` is paired with every value of every
other question at least once (a pairwise covering set, built greedily and
deterministically), and the two extremes run in full: every mixin on, and everything
optional off. The questions and their values are read from ``copier.yml`` itself, so
a new question or choice joins the matrix without an edit here.
"""

import itertools
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

COPIER_YML = Path(__file__).parent.parent / "copier.yml"

#: Answers that name things rather than choose behaviour.
NAMING_QUESTIONS = frozenset({"project_name", "package_name"})

Combination = dict[str, Any]


@cache
def option_values() -> dict[str, tuple[Any, ...]]:
    """Each behavioural question and its values, in copier.yml's order.

    ``pgbouncer`` is only asked for PostgreSQL, so it is folded into ``database`` as a
    third value: PostgreSQL through PgBouncer.
    """
    questions = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    values: dict[str, tuple[Any, ...]] = {}
    for name, question in questions.items():
        if name.startswith("_") or name in NAMING_QUESTIONS or name == "pgbouncer":
            continue
        if question["type"] == "bool":
            values[name] = (True, False)
        else:
            choices = question["choices"]
            values[name] = tuple(choices.values() if isinstance(choices, dict) else choices)
    values["database"] = (*values["database"], "postgresql+pgbouncer")
    return values


def answers(combination: Mapping[str, Any]) -> Combination:
    """Copier answers for a combination (``postgresql+pgbouncer`` unfolded)."""
    result = dict(combination)
    if result.get("database") == "postgresql+pgbouncer":
        result["database"] = "postgresql"
        result["pgbouncer"] = True
    return result


def pairwise(values: Mapping[str, tuple[Any, ...]]) -> list[Combination]:
    """A small set of combinations in which every pair of values of two options occurs.

    Greedy: each step adds the full combination that covers the most pairs not yet
    covered (the first such one, so the result is the same every run).
    """
    names = list(values)
    uncovered = set(_pairs(values))
    candidates = [dict(zip(names, row, strict=True)) for row in itertools.product(*values.values())]
    chosen: list[Combination] = []
    while uncovered:
        best = max(candidates, key=lambda candidate: len(uncovered & set(_pairs_in(candidate))))
        uncovered -= set(_pairs_in(best))
        chosen.append(best)
    return chosen


def _pairs(values: Mapping[str, tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
    for first, second in itertools.combinations(values, 2):
        for a, b in itertools.product(values[first], values[second]):
            yield (first, a, second, b)


def _pairs_in(combination: Mapping[str, Any]) -> Iterable[tuple[Any, ...]]:
    for first, second in itertools.combinations(combination, 2):
        yield (first, combination[first], second, combination[second])


#: Every mixin on, with the richest key strategy.
ALL_ON: Combination = {
    "primary_key": "dual",
    "timestamps": True,
    "soft_delete": True,
    "versioning": True,
    "example_model": True,
}
#: Every optional part off.
ALL_OFF: Combination = {
    "primary_key": "int",
    "timestamps": False,
    "soft_delete": False,
    "versioning": False,
    "example_model": False,
    "github_actions": False,
}


def generated_matrix() -> list[Combination]:
    """The extremes, then the pairwise set, as copier answers."""
    return [ALL_ON, ALL_OFF, *(answers(c) for c in pairwise(option_values()))]
