"""The example model's render contexts, planned by ``add-model``'s own code.

Copier renders the example model (``example_model=true``) without running Python, so the
contexts ``plan.model_context`` makes for it are written, once for every combination of
the options they depend on, to a data file the template reads. After a change to the
planner or the registry, rewrite it::

    uv run python -m dbscaffold.example

(a test fails while the committed file is stale).
"""

import itertools
import json
from pathlib import Path
from typing import Any

from dbscaffold.fields import parse_fields
from dbscaffold.imports import Imports, package_slack
from dbscaffold.plan import ModelRequest, build_request, model_context
from dbscaffold.project import Project
from dbscaffold.registry import KEYS, MIXINS, Index, KeyStrategy, Mixin

#: ``dbscaffold add-model Article title:str{200} slug:str{200}:unique body:text?``
NAME = "Article"
FIELDS = ("title:str{200}", "slug:str{200}:unique", "body:text?")
#: The file the example templates read, relative to the template's root.
DATA_FILE = "src/dbscaffold/codegen/example_model.json"
#: Stands for the package name in the data file; the template substitutes it.
PACKAGE = "__package_name__"
#: The answers the contexts depend on, in the order of the data file's keys.
OPTIONS = ("primary_key", *(mixin.option for mixin in MIXINS))


def key(answers: dict[str, Any]) -> str:
    """A context's key in the data file: ``dual,true,false,true``."""
    return ",".join(str(answers[option]).lower() for option in OPTIONS)


def contexts() -> dict[str, Any]:
    """The data file's content: the options, and the model's context per combination."""
    models = {}
    for values in itertools.product(KEYS, *([False, True] for _ in MIXINS)):
        answers = {"package_name": PACKAGE, **dict(zip(OPTIONS, values, strict=True))}
        project = Project(root=Path(), answers=answers, models=())
        request = build_request(project, NAME, parse_fields(list(FIELDS)), table=None, pk=None)
        context = model_context(project, request)
        models[key(answers)] = _plain({**context, "migration": migration(request)})
    return {"options": list(OPTIONS), "models": models}


def migration(request: ModelRequest) -> dict[str, Any]:
    """The example migration's lines for the key strategy and the mixins of ``request``.

    Each comes from its registry entry (``registry.Migration``); the migration template
    writes the model's own columns itself and loops over these.
    """
    table = request.table
    owners: tuple[KeyStrategy | Mixin, ...] = (request.key, *request.mixins)
    imports = Imports()
    for owner in owners:
        for spec in owner.migration.imports:
            imports.add_import(PACKAGE, spec)
    indexes = [index for owner in owners for index in owner.migration.indexes]
    constraints = []
    live = [m.migration.unique_index for m in request.mixins if m.migration.unique_index]
    for field in (field for field in request.fields if field.unique):
        if live:
            indexes += [
                Index(_column(index.name, field.name), _column(index.create, field.name))
                for index in live
            ]
        else:
            constraints.append(
                f'sa.UniqueConstraint("{field.name}", name=op.f("{table}_{field.name}_key"))'
            )
    return {
        "imports": imports.render(slack=package_slack(PACKAGE)),
        "columns": [
            column.format(table=table) for owner in owners for column in owner.migration.columns
        ],
        # the key's columns come before the model's own, the mixins' after them
        "key_columns": len(request.key.migration.columns),
        "constraints": constraints,
        "indexes": [index.create.format(table=table) for index in indexes],
        "drops": [
            f'op.drop_index({index.name.format(table=table)}, table_name="{table}")'
            for index in reversed(indexes)
        ],
    }


def _column(text: str, column: str) -> str:
    return text.replace("{column}", column)


def _plain(value: Any) -> Any:
    """``value`` as JSON keeps it: lists for tuples, without the planner's own ``Imports``."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, Imports)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def render() -> str:
    """The data file's text."""
    text = json.dumps(contexts(), indent=1, sort_keys=True) + "\n"
    # The template includes the file as a Jinja template before parsing it as JSON.
    for syntax in ("{{", "{%", "{#"):
        if syntax in text:
            raise AssertionError(f"{syntax} in the example's contexts would be read as Jinja")
    return text


def main() -> None:
    from dbscaffold.template_source import template_root

    path = template_root() / DATA_FILE
    path.write_text(render())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
