"""The import block of a generated module, written as ruff's isort writes it.

The templates print :meth:`Imports.render`'s text as it is: no sorting or wrapping in Jinja.
"""

from collections import defaultdict

#: The generated projects' ``line-length``.
LINE_LENGTH = 100
#: The longest package name ``copier.yml`` accepts. The project's own imports are laid out
#: as if its name were this long: the example model, planned before the name is known,
#: and ``add-model`` then write the same lines, and every accepted name keeps them valid.
MAX_PACKAGE_NAME = 30

GROUPS = ("stdlib", "third", "first")


class Imports:
    """Import lines grouped as isort groups them: standard library, third party, first party."""

    def __init__(self) -> None:
        self.modules: dict[str, set[str]] = {group: set() for group in GROUPS}
        self.names: dict[tuple[str, str], set[str]] = defaultdict(set)

    def module(self, group: str, name: str) -> None:
        self.modules[group].add(name)

    def add(self, group: str, module: str, *names: str) -> None:
        self.names[(group, module)].update(names)

    def add_import(self, package: str, spec: tuple[str, str, tuple[str, ...]]) -> None:
        """A registry import ``(group, module, names)``; a dotted module is in ``package``."""
        group, module, names = spec
        self.add(group, package + module if module.startswith(".") else module, *names)

    def update(self, other: "Imports") -> None:
        for group, modules in other.modules.items():
            self.modules[group] |= modules
        for key, names in other.names.items():
            self.names[key] |= names

    def restricted_to(self, names: set[str]) -> "Imports":
        """The imports that bind one of ``names`` (``import a.b`` binds ``a``)."""
        kept = Imports()
        for group, modules in self.modules.items():
            kept.modules[group] = {m for m in modules if m.split(".")[0] in names}
        for key, members in self.names.items():
            if members & names:
                kept.names[key] = members & names
        return kept

    def render(self, indent: int = 0, slack: int = 0) -> str:
        """The sections, one blank line apart, each line indented by ``indent`` spaces.

        Per section, ``import x`` lines come first, then ``from x import ...``, each sorted
        by module. A ``from`` import too long for one line is parenthesized, one name per
        line with a trailing comma: ruff's isort writes it so, and keeps it so
        (``split-on-trailing-comma``) even where a shorter package name would let it fit.
        First-party lines are measured ``slack`` characters longer (see
        :func:`package_slack`).
        """
        pad = " " * indent
        sections = []
        for group in GROUPS:
            lines = [f"{pad}import {m}" for m in sorted(self.modules[group], key=_module_key)]
            modules = sorted((m for (g, m) in self.names if g == group), key=_module_key)
            extra = slack if group == "first" else 0
            lines += [_from_import(pad, m, self.names[(group, m)], extra) for m in modules]
            if lines:
                sections.append("\n".join(lines))
        return "\n\n".join(sections)


def package_slack(package: str) -> int:
    """How much longer the longest accepted package name is than ``package``."""
    return max(0, MAX_PACKAGE_NAME - len(package))


def _from_import(pad: str, module: str, names: set[str], slack: int) -> str:
    ordered = sorted(names, key=_member_key)
    line = f"{pad}from {module} import {', '.join(ordered)}"
    if len(line) + slack <= LINE_LENGTH:
        return line
    members = "".join(f"{pad}    {name},\n" for name in ordered)
    return f"{pad}from {module} import (\n{members}{pad})"


def _module_key(module: str) -> tuple[str, str]:
    return module.lower(), module


def _member_key(name: str) -> tuple[int, str, str]:
    """isort's order by type: CONSTANTS, then Classes, then the rest, each case-insensitively."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[0].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower(), name
