"""Planning relationships: each ``ref`` and ``many`` field, its inverse, and both sides' code.

Pure functions, like :mod:`dbscaffold.plan`: the project is read before, files are
written after. The inverse of a relationship to another model is an attribute of that
model's class, added by :mod:`dbscaffold.edit_model` from the :class:`ClassEdit` planned here.
"""

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbscaffold.edit_model import ClassEdit
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import FieldSpec, check_table_name, plural
from dbscaffold.imports import Imports
from dbscaffold.layout import bracketed
from dbscaffold.project import ExistingModel, Project

if TYPE_CHECKING:
    from dbscaffold.plan import ModelRequest


@dataclass(frozen=True)
class Relationship:
    """One ``ref`` or ``many`` field of the new model, resolved against the project."""

    spec: FieldSpec
    target: ExistingModel
    #: The attribute on the target's class (the new model's own for a self-reference).
    inverse: str | None
    #: Whether another ``ref`` of the new model has a key to the same table: each
    #: relationship then names its key (``foreign_keys``).
    shared_key: bool
    #: The association table of a ``many`` field.
    association: str | None
    #: A reference from the new model to itself.
    is_self: bool

    @property
    def scalar_inverse(self) -> bool:
        """A unique key is one-to-one: one row at most on the inverse side."""
        return self.spec.kind == "ref" and self.spec.unique


def resolve_target(project: Project, request: "ModelRequest", spec: FieldSpec) -> ExistingModel:
    """The model a ``ref`` or ``many`` field points at: the project's, or the new one."""
    assert spec.target is not None
    if spec.target in (request.class_name, request.table, request.module):
        if spec.kind == "many":
            raise DbscaffoldError(
                f"field {spec.name!r}: a many-to-many from {request.class_name} to itself"
                " is not generated (which side is which needs names of its own)",
                hint=f"add an association model with two refs to {request.class_name},"
                f" e.g. add-model {request.class_name}Link"
                f" source:ref:{request.class_name}:cascade target:ref:{request.class_name}:cascade",
            )
        if not spec.nullable:
            raise DbscaffoldError(
                f"field {spec.name!r}: a reference to the model itself must be nullable",
                hint=f"write {spec.name}:ref:{spec.target}? (the first row has no {spec.name})",
            )
        key_type = "int" if request.key.integer else "uuid"
        return ExistingModel(
            request.class_name, request.table, request.module, key_type, request.soft_delete
        )
    target = project.find_model(spec.target)
    if target is None:
        known = ", ".join(m.class_name for m in project.models) or "none yet"
        raise DbscaffoldError(
            f"field {spec.name!r} refers to unknown model {spec.target!r} (known: {known})",
            hint="add the referenced model first",
        )
    return target


def plan_relationships(project: Project, request: "ModelRequest") -> tuple[Relationship, ...]:
    """Every relationship of the new model, its inverse named and checked."""
    related = [s for s in request.fields if s.type.relation]
    targets = {s.name: resolve_target(project, request, s) for s in related}
    per_table = Counter(target.table for target in targets.values())
    keys_per_table = Counter(t.table for name, t in targets.items() if name in _refs(related))
    many_per_table = Counter(t.table for name, t in targets.items() if name not in _refs(related))
    planned = []
    for spec in related:
        target = targets[spec.name]
        is_self = target.class_name == request.class_name
        association = None
        if spec.kind == "many":
            association = (
                f"{request.table}_{spec.name}"
                if many_per_table[target.table] > 1
                else f"{request.table}_{target.table}"
            )
        relationship = Relationship(
            spec=spec,
            target=target,
            inverse=_inverse_name(request, spec, shared=per_table[target.table] > 1),
            shared_key=spec.kind == "ref" and keys_per_table[target.table] > 1,
            association=association,
            is_self=is_self,
        )
        planned.append(relationship)
    _check_names(project, request, planned)
    return tuple(planned)


def _refs(specs: list[FieldSpec]) -> set[str]:
    return {s.name for s in specs if s.kind == "ref"}


def _inverse_name(request: "ModelRequest", spec: FieldSpec, *, shared: bool) -> str | None:
    """The chosen name, else the new model's name: plural, or singular for one-to-one.

    When several fields point at one target, each default is prefixed with its field.
    """
    if spec.no_inverse:
        return None
    if spec.inverse is not None:
        return spec.inverse
    name = request.module if spec.kind == "ref" and spec.unique else plural(request.module)
    return f"{spec.name}_{name}" if shared else name


def _check_names(project: Project, request: "ModelRequest", planned: list[Relationship]) -> None:
    """Refuse two inverses of one name on one class, and association tables that exist."""
    own = {name for spec in request.fields for name in (spec.name, spec.column_name)}
    taken: dict[tuple[str, str], str] = {}
    for relationship in planned:
        inverse, spec = relationship.inverse, relationship.spec
        if inverse is None:
            continue
        target = relationship.target.class_name
        if relationship.is_self and inverse in own:
            raise DbscaffoldError(
                f"field {spec.name!r}: its inverse {target}.{inverse} would be the field"
                f" {inverse!r} of the same model",
                hint=f"name the inverse: {spec.name}:ref:{target}.other_name, or add :noinverse",
            )
        other = taken.setdefault((target, inverse), spec.name)
        if other != spec.name:
            raise DbscaffoldError(
                f"fields {other!r} and {spec.name!r} would both add {target}.{inverse}",
                hint=f"name one inverse: {spec.name}:{spec.kind}:{target}.other_name",
            )
    # (the tables of the model's own module are its own, when --force or --skip regenerates it)
    others = {t for t, module in project.association_tables.items() if module != request.module}
    tables = {m.table for m in project.models} | others | {request.table}
    seen: set[str] = set()
    for relationship in planned:
        table = relationship.association
        if table is None:
            continue
        check_table_name(table, f"field {relationship.spec.name!r}: its association table")
        if table in tables or table in seen:
            raise DbscaffoldError(
                f"field {relationship.spec.name!r}: its association table {table!r} exists already",
                hint="choose another field or model name, or write the association by hand",
            )
        seen.add(table)


# -- code -------------------------------------------------------------------------------


def forward_arguments(relationship: Relationship, request: "ModelRequest") -> list[str]:
    """The arguments of the new model's ``relationship(...)``."""
    spec = relationship.spec
    arguments = []
    if relationship.association is not None:
        arguments.append(f"secondary={relationship.association}")
    if relationship.inverse is not None:
        arguments.append(f'back_populates="{relationship.inverse}"')
    if relationship.shared_key:
        arguments.append(f"foreign_keys=[{spec.column_name}]")
    if relationship.is_self:
        arguments.append(f'remote_side="{request.class_name}.id"')
    arguments.append('lazy="raise"')
    if relationship.association is not None or _in_a_cycle(relationship, request):
        arguments.append("passive_deletes=True")
    return arguments


def _in_a_cycle(relationship: Relationship, request: "ModelRequest") -> bool:
    """Whether the many-to-one ``relationship`` is of a model that references itself.

    The unit of work deletes such a model's rows one by one (a dependency cycle) and
    would load each row's many-to-one relationships to order the deletes, which
    ``lazy="raise"`` refuses; with ``passive_deletes`` it orders them without loading.
    """
    references_itself = any(
        spec.kind == "ref" and spec.target in (request.class_name, request.table, request.module)
        for spec in request.fields
    )
    return relationship.spec.kind == "ref" and references_itself


def inverse_statement(relationship: Relationship, request: "ModelRequest") -> str:
    """The inverse attribute, as a statement of the target's class body."""
    assert relationship.inverse is not None
    spec, cls = relationship.spec, request.class_name
    arguments = []
    if relationship.association is not None:
        arguments.append(f'secondary="{relationship.association}"')
    arguments.append(f'back_populates="{spec.name}"')
    if relationship.shared_key:
        column = spec.column_name
        arguments.append(
            f"foreign_keys=[{column}]"
            if relationship.is_self
            else f'foreign_keys="[{cls}.{column}]"'
        )
    arguments.append('lazy="raise"')
    arguments += _on_delete_arguments(relationship)
    annotation = f'"{cls} | None"' if relationship.scalar_inverse else f'list["{cls}"]'
    before = f"    {relationship.inverse}: Mapped[{annotation}] = relationship("
    return before + bracketed(before, arguments, ")") + ")"


def _on_delete_arguments(relationship: Relationship) -> list[str]:
    """How the inverse side deletes, agreeing with the key's ``ON DELETE`` rule.

    The ORM never loads the rows pointing at a deleted row (``passive_deletes``): the
    database cascades, sets the key to NULL, or refuses; ``"all"`` keeps the ORM from
    setting the key to NULL on rows it has loaded, behind a refusing database's back.
    """
    if relationship.association is not None or relationship.spec.on_delete == "SET NULL":
        return ["passive_deletes=True"]
    if relationship.spec.on_delete == "CASCADE":
        return ['cascade="all"', "passive_deletes=True"]
    return ['passive_deletes="all"']


def association_table(relationship: Relationship, request: "ModelRequest") -> str:
    """The module-level ``Table`` of a ``many`` field: the two keys, both cascading."""
    name, target = relationship.association, relationship.target
    assert name is not None
    columns = [
        (request.table, ["primary_key=True"]),
        (target.table, ["primary_key=True", "index=True"]),
    ]
    lines = [f'    "{name}",', "    Base.metadata,"]
    for table, options in columns:
        key = f'ForeignKey("{table}.id", ondelete="CASCADE")'
        before = "    Column("
        items = [f'"{table}_id"', key, *options]
        lines.append(before + bracketed(before, items, "),") + "),")
    return f"{name} = Table(\n" + "\n".join(lines) + "\n)"


def plan_class_edits(
    project: Project, request: "ModelRequest", relationships: tuple[Relationship, ...]
) -> list[ClassEdit]:
    """The inverse attributes to add to the other models' classes."""
    edits = []
    for relationship in relationships:
        if relationship.inverse is None or relationship.is_self:
            continue
        imports, type_checking = Imports(), Imports()
        imports.add("stdlib", "typing", "TYPE_CHECKING")
        imports.add("third", "sqlalchemy.orm", "Mapped", "relationship")
        type_checking.add("first", f"{project.package}.models.{request.module}", request.class_name)
        edits.append(
            ClassEdit(
                module=f"src/{project.package}/models/{relationship.target.module}.py",
                class_name=relationship.target.class_name,
                attribute=relationship.inverse,
                statement=inverse_statement(relationship, request),
                back_populates=relationship.spec.name,
                imports=imports,
                type_checking=type_checking,
            )
        )
    return edits
