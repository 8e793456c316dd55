"""The primary key strategies: the values of copier.yml's ``primary_key``."""

from enum import StrEnum


class PrimaryKey(StrEnum):
    UUID7 = "uuid7"
    UUID4 = "uuid4"
    INT = "int"
    DUAL = "dual"
