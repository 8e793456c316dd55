"""What the CLI knows about each option of a generated project, in one place.

The planner (``plan``), the ``add-model`` flags (``cli``), reading a project's models
(``project``), the field names a model cannot take (``fields``), the docs' reference
tables and the example model's contexts (``example``) are all derived from here.
Adding a key strategy or a mixin starts with one entry below (see CONTRIBUTING.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass

#: An import a generated module needs: (isort group, module, names). A module starting
#: with a dot is relative to the generated package: ``.db.errors`` is ``<package>.db.errors``.
Import = tuple[str, str, tuple[str, ...]]


# -- the example migration ------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """An index the example migration creates: ``{table}`` stands for the table's name."""

    #: Its name as the migration spells it: ``op.f("{table}_public_id_idx")``.
    name: str
    #: The ``op.create_index(...)`` statement, as ruff formats it for the table ``article``.
    create: str


@dataclass(frozen=True)
class Migration:
    """What a key strategy or a mixin writes into the example migration (``{table}``: its
    table). Lines are as ruff formats them: one per column, continuation lines indented
    by 4 relative to the first."""

    #: Its ``sa.Column(...)`` lines, without the trailing comma.
    columns: tuple[str, ...] = ()
    #: The indexes it creates, in order; the downgrade drops them in reverse.
    indexes: tuple[Index, ...] = ()
    #: What the columns need imported.
    imports: tuple[Import, ...] = ()
    #: How a unique field's index is written while the mixin is on (``{column}``), in place
    #: of a ``UniqueConstraint``.
    unique_index: Index | None = None


# -- key strategies: the values of copier.yml's primary_key ---------------------------------


@dataclass(frozen=True)
class KeyStrategy:
    """One primary key strategy: the mixin every model of such a project inherits."""

    #: The answer to ``primary_key``, and the value of ``add-model --pk``.
    value: str
    #: Its label among copier.yml's choices.
    label: str
    #: The mixin class, imported from ``module``.
    mixin: str
    #: An integer ``id`` (foreign keys to it are ``BigIntKey``) or a UUID one.
    integer: bool
    #: The columns the mixin adds.
    columns: tuple[str, ...]
    #: What it means, for the options reference.
    effect: str
    #: The generated module the mixin is imported from, relative to the package.
    module: str = ".db.mixins"
    #: Its columns and indexes in the example migration.
    migration: Migration = Migration()

    @property
    def annotation(self) -> str:
        """The Python type of ``id``, and of a foreign key column pointing at it."""
        return "int" if self.integer else "uuid.UUID"


INTEGER_ID = 'sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)'
KEY_STRATEGIES = (
    KeyStrategy(
        "uuid7",
        "UUIDv7 (time-ordered, index-friendly)",
        "UUIDPrimaryKeyMixin",
        integer=False,
        columns=("id",),
        effect="time-ordered UUIDv7 from `uuid-utils`",
        migration=Migration(columns=('sa.Column("id", sa.Uuid(), nullable=False)',)),
    ),
    KeyStrategy(
        "uuid4",
        "UUIDv4 (random)",
        "UUIDPrimaryKeyMixin",
        integer=False,
        columns=("id",),
        effect="random UUIDv4",
        migration=Migration(columns=('sa.Column("id", sa.Uuid(), nullable=False)',)),
    ),
    KeyStrategy(
        "int",
        "Integer identity",
        "IntegerPrimaryKeyMixin",
        integer=True,
        columns=("id",),
        effect="BIGSERIAL on PostgreSQL",
        migration=Migration(columns=(INTEGER_ID,)),
    ),
    KeyStrategy(
        "dual",
        "Dual (integer key for joins + public UUIDv7)",
        "DualIdMixin",
        integer=True,
        columns=("id", "public_id"),
        effect="integer key plus a unique, indexed `public_id` UUIDv7 and "
        "`Repository.get_by_public_id`",
        migration=Migration(
            columns=(INTEGER_ID, 'sa.Column("public_id", sa.Uuid(), nullable=False)'),
            indexes=(
                Index(
                    'op.f("{table}_public_id_idx")',
                    'op.create_index(op.f("{table}_public_id_idx"), "{table}", ["public_id"], '
                    "unique=True)",
                ),
            ),
        ),
    ),
)
#: The key strategies by value.
KEYS: Mapping[str, KeyStrategy] = {key.value: key for key in KEY_STRATEGIES}


# -- mixins: copier.yml's yes/no questions, add-model's --flag/--no-flag --------------------


@dataclass(frozen=True)
class Mixin:
    """One optional mixin: a yes/no answer of the project, a flag of ``add-model``."""

    #: The answer in copier.yml (and the key of the render context).
    option: str
    #: The mixin class, imported from ``module``.
    class_name: str
    #: The columns the mixin adds.
    columns: tuple[str, ...]
    #: The ``add-model`` flag's help.
    help: str
    #: What it adds to a project, for the options reference.
    effect: str
    #: Its other attributes (methods, properties), which a model's own would hide.
    methods: tuple[str, ...] = ()
    #: What the model's generated tests import for the mixin's own tests.
    test_imports: tuple[Import, ...] = ()
    #: Its generated test updates a column: without a column to change there is none.
    test_changes_a_column: bool = False
    #: The generated module the mixin is imported from, relative to the package.
    module: str = ".db.mixins"
    #: Its columns and indexes in the example migration.
    migration: Migration = Migration()

    @property
    def flag(self) -> str:
        """``--soft-delete``."""
        return "--" + self.option.replace("_", "-")

    @property
    def flags(self) -> str:
        """``--soft-delete/--no-soft-delete``: on, or off."""
        return f"{self.flag}/--no-{self.flag.removeprefix('--')}"


#: In the order a model inherits them, after the key mixin.
MIXINS = (
    Mixin(
        "timestamps",
        "TimestampMixin",
        columns=("created_at", "updated_at"),
        help="created_at / updated_at, set by the database.",
        effect="`created_at` / `updated_at` set by the database (`utcnow()`), "
        "timezone-aware, fetched on flush.",
        test_imports=(("stdlib", "datetime", ("UTC",)),),
        migration=Migration(
            columns=tuple(
                f'sa.Column(\n    "{column}", sa.DateTime(timezone=True), '
                "server_default=utcnow(), nullable=False\n)"
                for column in ("created_at", "updated_at")
            ),
            imports=(("first", ".db.types", ("utcnow",)),),
        ),
    ),
    Mixin(
        "soft_delete",
        "SoftDeleteMixin",
        columns=("deleted_at",),
        methods=("is_deleted", "soft_delete", "restore"),
        help="deleted_at: deleted rows are hidden from queries, and restorable.",
        effect="the global filter in `db/soft_delete.py`, `include_deleted` on repository "
        "reads, `soft_delete()` / `restore()` / `hard_delete()`, and partial unique indexes "
        "over live rows.",
        migration=Migration(
            columns=('sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)',),
            indexes=(
                Index(
                    'op.f("{table}_deleted_at_idx")',
                    'op.create_index(op.f("{table}_deleted_at_idx"), "{table}", ["deleted_at"], '
                    "unique=False)",
                ),
            ),
            unique_index=Index(
                '"{table}_{column}_key"',
                "op.create_index(\n"
                '    "{table}_{column}_key",\n'
                '    "{table}",\n'
                '    ["{column}"],\n'
                "    unique=True,\n"
                '    postgresql_where=sa.text("deleted_at IS NULL"),\n'
                '    sqlite_where=sa.text("deleted_at IS NULL"),\n'
                ")",
            ),
        ),
    ),
    Mixin(
        "versioning",
        "VersionMixin",
        columns=("version_id",),
        methods=("mapper_args",),
        help="version_id: optimistic locking, a stale update raises ConflictError.",
        effect="`version_id` optimistic locking; stale updates raise `ConflictError`.",
        test_imports=(
            ("third", "sqlalchemy", ("update",)),
            ("first", ".db.errors", ("ConflictError",)),
        ),
        test_changes_a_column=True,
        migration=Migration(columns=('sa.Column("version_id", sa.Integer(), nullable=False)',)),
    ),
)
#: The mixins by option name.
MIXINS_BY_OPTION: Mapping[str, Mixin] = {mixin.option: mixin for mixin in MIXINS}

#: Every column a key strategy or a mixin adds: no field may take one of these names.
MIXIN_COLUMNS = frozenset(
    column for owner in (*KEY_STRATEGIES, *MIXINS) for column in owner.columns
)
#: The mixins' other attributes: no field or inverse may hide one of these either.
MIXIN_METHODS = frozenset(method for mixin in MIXINS for method in mixin.methods)
