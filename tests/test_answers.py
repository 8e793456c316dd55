"""Parsing of ``--data KEY=VALUE`` options."""

import pytest

from dbscaffold.answers import parse_data
from dbscaffold.errors import DbscaffoldError


def test_pairs_become_answers() -> None:
    assert parse_data(["primary_key=dual", "soft_delete=false"]) == {
        "primary_key": "dual",
        "soft_delete": "false",
    }


def test_the_value_may_contain_equals_signs_and_be_empty() -> None:
    assert parse_data(["project_name=a=b", "x="]) == {"project_name": "a=b", "x": ""}


def test_the_last_of_repeated_keys_wins() -> None:
    assert parse_data(["a=1", "a=2"]) == {"a": "2"}


@pytest.mark.parametrize("pair", ["primary_key", "=dual", " =x", ""])
def test_a_pair_without_a_key_or_equals_sign_is_an_error(pair: str) -> None:
    with pytest.raises(DbscaffoldError, match="KEY=VALUE") as error:
        parse_data([pair])
    assert error.value.hint
