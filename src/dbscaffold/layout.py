"""The one layout rule of the code templates, for brackets whose contents hold user names.

A template writes ``mapped_column({{ field.arguments }})``; the planner fills in the
arguments with :func:`bracketed`, knowing the rest of the line.
"""

from collections.abc import Sequence

from dbscaffold.imports import LINE_LENGTH


def bracketed(before: str, items: Sequence[str], after: str) -> str:
    """What goes between the brackets of the line ``before + ... + after``.

    ``before`` is the line up to and including the opening bracket, indentation included;
    ``after`` is the rest of the line from the closing bracket. The items stay on the line
    if the whole line fits in the line length; otherwise each goes on a line of its own
    with a trailing comma, which ``ruff format`` keeps exploded (the magic trailing comma),
    so the output is stable whatever the names' lengths.
    """
    line = before + ", ".join(items) + after
    if len(line) <= LINE_LENGTH:
        return ", ".join(items)
    pad = " " * (len(before) - len(before.lstrip(" ")))
    return "\n" + "".join(f"{pad}    {item},\n" for item in items) + pad
