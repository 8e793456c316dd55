"""``dbscaffold add-model``: parse, plan, then write (all or nothing)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbscaffold import render
from dbscaffold.change import WriteOptions, carry_out
from dbscaffold.edit_model import ClassEdit, ModelEditError, apply_edits
from dbscaffold.errors import DbscaffoldError
from dbscaffold.fields import parse_fields
from dbscaffold.plan import build_request, class_edits, model_context
from dbscaffold.project import read_project
from dbscaffold.writer import FileWrite, read_text


@dataclass(frozen=True)
class AddModelOptions:
    name: str
    fields: list[str]
    project: Path
    pk: str | None = None
    #: Per mixin option (``registry.MIXINS``): on, off, or ``None`` for the project's answer.
    mixins: Mapping[str, bool | None] = field(default_factory=dict)
    table: str | None = None
    migration: bool = False
    dry_run: bool = False
    force: bool = False
    skip: bool = False


def add_model(options: AddModelOptions, echo: Callable[[str], None]) -> None:
    WriteOptions(force=options.force, skip=options.skip).check()
    project = read_project(options.project)
    request = build_request(
        project,
        options.name,
        parse_fields(options.fields),
        table=options.table,
        pk=options.pk,
        mixins=options.mixins,
        replace_existing=options.force or options.skip,
    )
    if any(spec.type.relation for spec in request.fields):
        check_test_support(project.root)
    context = {"model": model_context(project, request), "package_name": project.package}
    package = Path("src") / project.package
    writes = [
        FileWrite(
            package / "models" / f"{request.module}.py", render.render(render.MODEL, **context)
        ),
        FileWrite(
            package / "repositories" / f"{request.module}.py",
            render.render(render.REPOSITORY, **context),
        ),
        FileWrite(
            Path("tests") / "models" / f"test_{request.module}.py",
            render.render(render.TESTS, **context),
        ),
    ]
    # With --skip, an inverse of ours that differs is replaced only to be classified: skipped.
    replace = options.force or options.skip
    writes += edited_files(project.root, class_edits(project, request), replace=replace)
    slug = f"create_{request.table}_table" if options.migration else None
    write_options = WriteOptions(dry_run=options.dry_run, force=options.force, skip=options.skip)
    carry_out(project.root, writes, write_options, echo, migration=slug)


#: What the generated relationship tests import from the project's ``tests/support.py``.
TEST_SUPPORT = ("recorded_statements", "loaded_rows")


def check_test_support(root: Path) -> None:
    """Refuse relationships in a project whose tests/support.py predates their tests."""
    support = root / "tests" / "support.py"
    text = support.read_text() if support.is_file() else ""
    missing = [name for name in TEST_SUPPORT if f"def {name}(" not in text]
    if missing:
        raise DbscaffoldError(
            f"tests/support.py has no {missing[0]}(), which the relationship tests use",
            hint="run `dbscaffold update` first: it brings the template's newer tests/support.py",
        )


def edited_files(root: Path, edits: Sequence[ClassEdit], *, replace: bool) -> list[FileWrite]:
    """One write per model module the edits touch, made from the module as it is now."""
    by_module: dict[str, list[ClassEdit]] = {}
    for edit in edits:
        by_module.setdefault(edit.module, []).append(edit)
    writes = []
    for module, module_edits in by_module.items():
        path = Path(module)
        try:
            current = read_text(root / path)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8"
            raise ModelEditError(
                f"cannot edit {module}: {reason}",
                hint=f"make it readable, or {module_edits[0].alternative}",
            ) from None
        content = apply_edits(current, module_edits, replace=replace)
        writes.append(FileWrite(path, content, expected=current))
    return writes
