"""Parsing ``--data KEY=VALUE`` options into Copier answers (pure functions)."""

from collections.abc import Iterable

from dbscaffold.errors import DbscaffoldError


def parse_data(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["key=value", ...]`` into a dict; a key given twice keeps its last value.

    Values stay strings: Copier casts each to its question's type.
    """
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise DbscaffoldError(
                f"--data expects KEY=VALUE, got {pair!r}",
                hint="for example: --data primary_key=dual",
            )
        answers[key] = value
    return answers
