"""``dbscaffold add-mixin``: turn a mixin on for models the project has (all or nothing)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbscaffold.change import WriteOptions, carry_out
from dbscaffold.edit_model import BaseEdit, ModelEditError, apply_base_edits, class_bases
from dbscaffold.errors import DbscaffoldError
from dbscaffold.migration import fitting_slug
from dbscaffold.project import ExistingModel, Project, read_project
from dbscaffold.registry import MIXINS, MIXINS_BY_OPTION, Mixin
from dbscaffold.writer import FileWrite, read_text


@dataclass(frozen=True)
class AddMixinOptions:
    #: A mixin option of the registry: ``timestamps``, ``soft_delete``, ``versioning``.
    mixin: str
    #: Model class (or table) names; none: every model lacking the mixin.
    models: Sequence[str]
    project: Path
    migration: bool = False
    dry_run: bool = False


def add_mixin(options: AddMixinOptions, echo: Callable[[str], None]) -> None:
    mixin = _mixin(options.mixin)
    project = read_project(options.project)
    if not project.answers.get(mixin.option):
        raise DbscaffoldError(
            f"this project was generated without {mixin.option}",
            hint=f"run `dbscaffold update --data {mixin.option}=true` first: it adds the "
            "shared code",
        )
    models = _models(project, mixin, options.models)
    if not models:
        echo(f"every model has {mixin.class_name} already: nothing to do")
        return
    writes = _writes(project, mixin, models)
    tables = [model.table for model in models]
    slug = fitting_slug(
        f"add_{mixin.option}_to_{tables[0]}"
        if len(tables) == 1
        else f"add_{mixin.option}_to_{len(tables)}_tables",
        f"add_{mixin.option}",
    )
    write_options = WriteOptions(dry_run=options.dry_run)
    carry_out(
        project.root, writes, write_options, echo, migration=slug if options.migration else None
    )


def _mixin(option: str) -> Mixin:
    mixin = MIXINS_BY_OPTION.get(option.replace("-", "_"))
    if mixin is None:
        known = ", ".join(m.option for m in MIXINS)
        raise DbscaffoldError(f"unknown mixin {option!r}", hint=f"one of: {known}")
    return mixin


def _module_path(project: Project, model: ExistingModel) -> Path:
    return Path("src") / project.package / "models" / f"{model.module}.py"


def _has(project: Project, model: ExistingModel, mixin: Mixin) -> bool:
    path = _module_path(project, model)
    try:
        source = read_text(project.root / path)
        return mixin.class_name in class_bases(source, model.class_name)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8"
        raise ModelEditError(f"cannot read {path}: {reason}") from None
    except ModelEditError as error:
        raise ModelEditError(f"{path}: {error.message}", hint=error.hint) from None


def _models(project: Project, mixin: Mixin, names: Sequence[str]) -> list[ExistingModel]:
    """The models to edit: those named (each once), or every model lacking the mixin."""
    if not names:
        return [model for model in project.models if not _has(project, model, mixin)]
    chosen: list[ExistingModel] = []
    for name in names:
        model = project.find_model(name)
        if model is None:
            known = ", ".join(m.class_name for m in project.models) or "none"
            raise DbscaffoldError(
                f"unknown model {name!r} (known: {known})",
                hint="name a model class or its table",
            )
        if _has(project, model, mixin):
            raise DbscaffoldError(
                f"{model.class_name} already has {mixin.class_name}",
                hint=f"leave {model.class_name} out",
            )
        if model not in chosen:
            chosen.append(model)
    return chosen


def _writes(project: Project, mixin: Mixin, models: Sequence[ExistingModel]) -> list[FileWrite]:
    """One edit per model module, made from the module as it is now."""
    later = MIXINS[[m.option for m in MIXINS].index(mixin.option) + 1 :]
    before = (*(m.class_name for m in later), "Base")
    module_name = project.package + mixin.module if mixin.module.startswith(".") else mixin.module
    by_path: dict[Path, list[BaseEdit]] = {}
    for model in models:
        path = _module_path(project, model)
        by_path.setdefault(path, []).append(
            BaseEdit(
                module=path.as_posix(),
                class_name=model.class_name,
                mixin=mixin.class_name,
                import_from=module_name,
                before=before,
                live_unique_table=model.table if mixin.option == "soft_delete" else None,
            )
        )
    writes = []
    for path, edits in by_path.items():
        try:
            current = read_text(project.root / path)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8"
            raise ModelEditError(f"cannot edit {path}: {reason}") from None
        writes.append(FileWrite(path, apply_base_edits(current, edits), expected=current))
    return writes
