"""Values as Python source, written as ``ruff format`` writes them (for generated code)."""


def python_literal(value: object) -> str:
    """``value`` (a default: str, number, bool, None, or JSON) as ``ruff format`` writes it."""
    if isinstance(value, str):
        return _string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, float):
        return repr(value).replace("e+", "e")  # ruff format writes 1e16, not 1e+16
    return repr(value)


def _string_literal(value: str) -> str:
    """Double quotes, unless the value holds more double quotes than single ones.

    Non-ASCII characters are escaped: ruff flags look-alikes (RUF001) such as an acute
    accent in a string.
    """
    if value.count('"') > value.count("'"):
        return ascii(value)  # single-quoted: no double quote needs escaping
    body: list[str] = []
    escaped = iter(ascii(value)[1:-1])
    for char in escaped:  # re-quote repr's body: its \' become ', every " becomes \"
        if char == "\\":
            pair = char + next(escaped)
            body.append("'" if pair == "\\'" else pair)
        else:
            body.append('\\"' if char == '"' else char)
    return '"' + "".join(body) + '"'
