"""The field types' code, run: each value a type writes is valid Python of the field's own
annotation with only the imports the type asked for, and its default reads back as parsed.
"""

import enum
import typing
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dbscaffold.field_types import FIELD_TYPES, Owner
from dbscaffold.fields import FieldSpec, parse_field
from dbscaffold.imports import Imports
from tests.test_fields import field_argument, field_names

OWNER = Owner("my_service", "Widget", "widget")

#: Every type but ref, whose code depends on the model it points at (plan.py's part).
column_fields = field_names.flatmap(lambda name: field_argument(name, targets=[])).map(parse_field)


def _namespace(spec: FieldSpec, imports: Imports) -> dict[str, Any]:
    """What the standard library imports bind (values need no other), and a StrEnum for an
    enum (the model's module, which the tests import it from)."""
    stdlib = Imports()
    stdlib.modules["stdlib"] = imports.modules["stdlib"]
    stdlib.names.update({key: names for key, names in imports.names.items() if key[0] == "stdlib"})
    namespace: dict[str, Any] = {}
    exec(stdlib.render(), namespace)
    if spec.kind == "enum":
        enum_class = FIELD_TYPES["enum"].test_context(spec, OWNER, Imports())["enum_class"]
        namespace[enum_class] = _str_enum(enum_class, spec.enum_values)
    return namespace


@cache
def _str_enum(name: str, values: tuple[str, ...]) -> Any:
    """The model's StrEnum (one class per enum, for isinstance)."""
    return enum.StrEnum(name, {value.upper(): value for value in values})


def _python_type(spec: FieldSpec) -> type:
    imports = Imports()
    field_type = spec.type
    annotation, _ = field_type.column(spec, OWNER, imports)
    annotated = eval(annotation, _namespace(spec, imports))
    return typing.get_origin(annotated) or annotated  # type: ignore[no-any-return]


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(spec=column_fields, n=st.integers(0, 100_000))
def test_samples_and_changed_values_are_of_the_annotated_type(spec: FieldSpec, n: int) -> None:
    imports = Imports()
    sample_code = spec.type.sample(spec, OWNER, imports)
    changed_code = spec.type.changed(spec, OWNER, imports)
    namespace = _namespace(spec, imports) | {"n": n}

    sample = eval(sample_code, namespace)
    assert isinstance(sample, _python_type(spec)), (sample_code, spec)
    if changed_code is not None:
        changed = eval(changed_code, namespace)
        assert isinstance(changed, _python_type(spec)), (changed_code, spec)
        assert changed != sample


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(spec=column_fields.filter(lambda spec: spec.has_default))
def test_a_default_is_written_as_code_that_gives_it_back(spec: FieldSpec) -> None:
    expression = spec.type.default_expression(spec, OWNER)
    imports = Imports()
    check = spec.type.default_check(spec, OWNER, imports)
    spec.type.column(spec, OWNER, imports)  # the model's imports, which its default= uses
    namespace = _namespace(spec, imports)

    value = eval(expression, namespace)
    value = value() if callable(value) else value  # json: a fresh value per row
    assert value == spec.default
    assert eval(f"value {check}", namespace | {"value": spec.default}) is True
