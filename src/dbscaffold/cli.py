"""The ``dbscaffold`` command line."""

import inspect
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbscaffold.errors import DbscaffoldError
from dbscaffold.registry import KEYS, MIXINS

if TYPE_CHECKING:
    PrimaryKey = str
else:
    # An enum, so that Typer offers the values in --help and in shell completion.
    PrimaryKey = StrEnum("PrimaryKey", {value: value for value in KEYS})


app = typer.Typer(
    name="dbscaffold",
    help="Start, and keep growing, an async SQLAlchemy 2.x + Alembic project.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


DataOption = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", help="Answer a question: KEY=VALUE (repeatable)."),
]
ProjectOption = Annotated[
    Path, typer.Option("--project", help="The project (default: the current directory).")
]


def print_version(value: bool) -> None:
    if value:
        import dbscaffold

        typer.echo(f"dbscaffold {dbscaffold.__version__}")
        raise typer.Exit


@app.callback()
def cli(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Start, and keep growing, an async SQLAlchemy 2.x + Alembic project."""


def with_mixin_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` a ``--flag/--no-flag`` option per mixin of the registry, after --pk.

    The command receives them in ``**mixins``, by option name: ``True``, ``False``, or
    ``None`` (not given: the project's answer).
    """
    signature = inspect.signature(command)
    parameters = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    after_pk = [p.name for p in parameters].index("pk") + 1
    flags = [
        inspect.Parameter(
            mixin.option,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None,
            annotation=Annotated[
                bool | None,
                typer.Option(mixin.flags, help=mixin.help),
            ],
        )
        for mixin in MIXINS
    ]
    parameters[after_pk:after_pk] = flags
    command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return command


@app.command()
def new(
    destination: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    data: DataOption = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Use the default for every unanswered question.")
    ] = False,
) -> None:
    """Create a new project from the bundled template."""
    from dbscaffold.answers import parse_data
    from dbscaffold.generate import create_project

    create_project(destination, parse_data(data or []), use_defaults=defaults)
    typer.echo(f"created {destination}")
    typer.echo(f"next: cd {destination} && uv sync && uv run pytest")


@app.command("add-model")
@with_mixin_flags
def add_model_command(
    name: Annotated[str, typer.Argument(help="The model class, in PascalCase: BlogPost.")],
    fields: Annotated[
        list[str] | None,
        typer.Argument(
            help="Fields: name[:type][?][:modifier ...][=default]. Relationships:"
            " name:ref:Model[.inverse] and name:many:Model[.inverse]; :noinverse for none."
        ),
    ] = None,
    pk: Annotated[
        PrimaryKey | None,
        typer.Option("--pk", help="Primary key strategy (default: the project's)."),
    ] = None,
    # here: --timestamps/--no-timestamps and the other mixins' flags (see with_mixin_flags)
    table: Annotated[str | None, typer.Option("--table", help="Table name.")] = None,
    migration: Annotated[
        bool, typer.Option("--migration", help="Autogenerate the migration too.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite differing files.")] = False,
    skip: Annotated[bool, typer.Option("--skip", help="Keep differing files.")] = False,
    project: ProjectOption = Path(),
    **mixins: bool | None,
) -> None:
    """Add a model with its repository, tests and (with --migration) its migration.

    A relationship also adds its inverse to the target model's class.
    """
    from dbscaffold.add_model import AddModelOptions, add_model

    options = AddModelOptions(
        name=name,
        fields=fields or [],
        project=project,
        pk=pk,
        mixins=mixins,
        table=table,
        migration=migration,
        dry_run=dry_run,
        force=force,
        skip=skip,
    )
    add_model(options, typer.echo)


FieldsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Fields, as add-model takes them: name[:type][?][:modifier ...][=default], and"
        " relationships (name:ref:Model?, name:many:Model)."
    ),
]
MigrationOption = Annotated[
    bool, typer.Option("--migration", help="Autogenerate the migration too.")
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan (and diffs) only.")]


@app.command("add-field")
def add_field_command(
    model: Annotated[str, typer.Argument(help="The model: its class (Book) or table (book).")],
    fields: FieldsArgument = None,
    migration: MigrationOption = False,
    dry_run: DryRunOption = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite differing files.")] = False,
    skip: Annotated[bool, typer.Option("--skip", help="Keep differing files.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Add fields to a model: its columns, their tests and (with --migration) the migration.

    The table may have rows: a new column is optional or has a default.
    """
    from dbscaffold.add_field import add_field
    from dbscaffold.change import FieldsOptions, WriteOptions

    options = FieldsOptions(
        model=model,
        fields=fields or [],
        project=project,
        migration=migration,
        write=WriteOptions(dry_run=dry_run, force=force, skip=skip),
    )
    add_field(options, typer.echo)


@app.command("remove-field")
def remove_field_command(
    model: Annotated[str, typer.Argument(help="The model: its class (Book) or table (book).")],
    fields: Annotated[
        list[str] | None, typer.Argument(help="The fields to remove, by name.")
    ] = None,
    migration: MigrationOption = False,
    dry_run: DryRunOption = False,
    project: ProjectOption = Path(),
) -> None:
    """Remove fields from a model: the attribute, its inverse, its tests, its repository
    method, and (with --migration) the migration that drops the column."""
    from dbscaffold.change import FieldsOptions, WriteOptions
    from dbscaffold.remove_field import remove_field

    options = FieldsOptions(
        model=model,
        fields=fields or [],
        project=project,
        migration=migration,
        write=WriteOptions(dry_run=dry_run),
    )
    remove_field(options, typer.echo)


@app.command("add-mixin")
def add_mixin_command(
    mixin: Annotated[
        str, typer.Argument(help="The mixin: " + ", ".join(m.option for m in MIXINS) + ".")
    ],
    models: Annotated[
        list[str] | None,
        typer.Argument(help="The models to give it (default: every model lacking it)."),
    ] = None,
    migration: Annotated[
        bool, typer.Option("--migration", help="Autogenerate the migration too.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
    project: ProjectOption = Path(),
) -> None:
    """Turn a mixin on for models the project has, with (--migration) their migration.

    Run `dbscaffold update --data MIXIN=true` first if the project was made without it.
    """
    from dbscaffold.add_mixin import AddMixinOptions, add_mixin

    options = AddMixinOptions(
        mixin=mixin, models=models or [], project=project, migration=migration, dry_run=dry_run
    )
    add_mixin(options, typer.echo)


@app.command()
def update(
    to: Annotated[
        str | None, typer.Option("--to", help="Template version (git ref) to update to.")
    ] = None,
    data: DataOption = None,
    project: ProjectOption = Path(),
) -> None:
    """Pull template improvements into this project with copier update."""
    from dbscaffold.answers import parse_data
    from dbscaffold.update import update_project

    changed = update_project(project, to=to, answers=parse_data(data or []))
    if changed:
        typer.echo(f"updated {len(changed)} file(s); review with `git diff`, then commit")
    else:
        typer.echo("already up to date: nothing changed")


@app.command()
def demo(
    destination: Annotated[
        Path | None,
        typer.Argument(help="Where to create the demo (default: a new temporary directory)."),
    ] = None,
) -> None:
    """Generate a project with the default answers, install it and run its tests."""
    import tempfile

    from dbscaffold.demo import verify_project
    from dbscaffold.generate import create_project

    project = destination or Path(tempfile.mkdtemp(prefix="dbscaffold-demo-")) / "my_service"
    create_project(project, {}, use_defaults=True)
    typer.echo(f"==> generated a project with the default answers in {project}")
    verify_project(project)
    files = sorted(p.relative_to(project) for p in project.rglob("*.py") if ".venv" not in p.parts)
    typer.echo(f"==> done: {project} ({len(files)} Python files) installs and its tests pass")
    typer.echo(f"    look around: cd {project} && uv run pytest -v")


def main() -> None:
    """The ``dbscaffold`` entry point: a :class:`DbscaffoldError` is one line and a hint."""
    try:
        app()
    except DbscaffoldError as error:
        typer.echo(f"error: {error.message}", err=True)
        if error.hint:
            typer.echo(f"hint: {error.hint}", err=True)
        sys.exit(error.exit_code)
