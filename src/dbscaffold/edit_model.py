"""Editing a model module the project owns: one attribute added to one class.

Only the class body and the import lines change; every other byte stays as it was.
"""

from dataclasses import dataclass

from dbscaffold.imports import Imports


@dataclass(frozen=True)
class ClassEdit:
    """One attribute to add to a model class of the project (the inverse of a relationship)."""

    #: The model module, ``src/<package>/models/<module>.py``.
    module: str
    class_name: str
    attribute: str
    #: The whole statement, indented by four spaces, without a trailing newline.
    statement: str
    #: The new model's field the attribute is the inverse of: an attribute of this name
    #: that is a ``relationship(back_populates=<field>)`` is ours (``--force`` replaces it).
    back_populates: str
    #: What the statement needs imported at the top of the module.
    imports: Imports
    #: What its annotations need, imported under ``if TYPE_CHECKING:``.
    type_checking: Imports
