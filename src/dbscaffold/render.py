"""Rendering the shared code templates (the same files Copier renders at copy time)."""

from functools import cache
from typing import TYPE_CHECKING, Any

from dbscaffold.template_source import template_root

if TYPE_CHECKING:
    import jinja2

MODEL = "src/dbscaffold/codegen/model.py.jinja"
REPOSITORY = "src/dbscaffold/codegen/repository.py.jinja"
TESTS = "src/dbscaffold/codegen/test_model.py.jinja"


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


@cache
def _environment() -> "jinja2.Environment":
    import jinja2  # imported here: only rendering needs it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_root()),
        # Compiled templates are cached between runs (in the temp directory).
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
