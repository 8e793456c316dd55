"""Rendering the shared code templates (the same files Copier renders at copy time)."""

from typing import Any

from dbscaffold.template_source import template_root

MODEL = "src/dbscaffold/codegen/model.py.jinja"
REPOSITORY = "src/dbscaffold/codegen/repository.py.jinja"
TESTS = "src/dbscaffold/codegen/test_model.py.jinja"


def render(template: str, **context: Any) -> str:
    import jinja2  # imported here: only rendering needs it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_root()),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    return environment.get_template(template).render(**context)
