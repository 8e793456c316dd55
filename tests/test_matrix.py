"""The end-to-end option matrix covers every pair of option values."""

import itertools

from tests.matrix import ALL_OFF, ALL_ON, answers, generated_matrix, option_values, pairwise


def test_every_pair_of_values_is_generated() -> None:
    values = option_values()
    combinations = pairwise(values)
    for first, second in itertools.combinations(values, 2):
        for a, b in itertools.product(values[first], values[second]):
            assert any(c[first] == a and c[second] == b for c in combinations), (
                first,
                a,
                second,
                b,
            )


def test_the_matrix_is_much_smaller_than_the_product() -> None:
    sizes = [len(choices) for choices in option_values().values()]
    product = 1
    for size in sizes:
        product *= size
    assert len(generated_matrix()) <= 20 < product


def test_every_question_with_choices_is_in_the_matrix() -> None:
    assert set(option_values()) >= {
        "python_version",
        "database",
        "primary_key",
        "timestamps",
        "soft_delete",
        "versioning",
        "example_model",
        "github_actions",
    }


def test_pgbouncer_is_only_answered_for_postgresql() -> None:
    for combination in generated_matrix():
        if combination.get("pgbouncer"):
            assert combination["database"] == "postgresql"
    assert answers({"database": "postgresql+pgbouncer"}) == {
        "database": "postgresql",
        "pgbouncer": True,
    }


def test_the_extremes_run_in_full() -> None:
    matrix = generated_matrix()
    assert matrix[:2] == [ALL_ON, ALL_OFF]
    assert all(ALL_ON[mixin] for mixin in ("timestamps", "soft_delete", "versioning"))
    assert not any(ALL_OFF[mixin] for mixin in ("timestamps", "soft_delete", "versioning"))
