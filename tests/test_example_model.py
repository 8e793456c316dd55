"""The example model's contexts: planned by ``add-model``'s code, committed, and current."""

import itertools
import json

from dbscaffold import example
from dbscaffold.registry import KEYS, MIXINS
from tests.helpers import REPO_ROOT


def test_the_committed_example_contexts_are_what_the_planner_makes_now() -> None:
    committed = (REPO_ROOT / example.DATA_FILE).read_text()

    assert committed == example.render(), "stale: run `uv run python -m dbscaffold.example`"


def test_there_is_a_context_for_every_combination_of_the_options() -> None:
    data = json.loads((REPO_ROOT / example.DATA_FILE).read_text())

    combinations = itertools.product(KEYS, *([False, True] for _ in MIXINS))
    expected = {",".join(str(value).lower() for value in values) for values in combinations}
    assert data["options"] == ["primary_key", *(mixin.option for mixin in MIXINS)]
    assert set(data["models"]) == expected
    assert len(expected) == len(KEYS) * 2 ** len(MIXINS)
