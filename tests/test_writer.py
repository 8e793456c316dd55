"""The writer's edits of files the project owns: planned, shown, written and undone."""

import os
import stat
from pathlib import Path

import pytest

from dbscaffold import writer
from dbscaffold.errors import DbscaffoldError

AUTHOR = Path("src/shop/models/author.py")
BEFORE = "class Author(Base):\r\n    name: str\r\n"
AFTER = "class Author(Base):\r\n    name: str\r\n    books: list[Book]\r\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / AUTHOR).parent.mkdir(parents=True)
    (tmp_path / AUTHOR).write_bytes(BEFORE.encode())
    (tmp_path / AUTHOR).chmod(0o640)
    return tmp_path


def plan(root: Path, content: str = AFTER, **flags: bool) -> list[writer.PlannedWrite]:
    writes = [
        writer.FileWrite(Path("src/shop/models/book.py"), "class Book(Base): ...\n"),
        writer.FileWrite(AUTHOR, content, expected=BEFORE),
    ]
    return writer.classify(
        root, writes, force=flags.get("force", False), skip=flags.get("skip", False)
    )


def test_an_edit_is_planned_shown_and_written_byte_for_byte(root: Path) -> None:
    planned = plan(root)
    assert [p.status for p in planned] == [writer.Status.CREATE, writer.Status.EDIT]
    assert writer.status_lines(planned)[1] == "      edit  src/shop/models/author.py"
    writer.apply(root, planned)
    assert (root / AUTHOR).read_bytes() == AFTER.encode()
    assert stat.S_IMODE((root / AUTHOR).stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_s_permissions_not_mkstemp_s(root: Path) -> None:
    umask = os.umask(0o022)
    try:
        writer.apply(root, plan(root))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((root / "src/shop/models/book.py").stat().st_mode) == 0o644


@pytest.mark.parametrize("flags", [{}, {"force": True}, {"skip": True}])
def test_an_edit_that_changes_nothing_is_identical(root: Path, flags: dict[str, bool]) -> None:
    assert plan(root, BEFORE, **flags)[1].status is writer.Status.IDENTICAL


def test_with_skip_an_edit_that_changes_the_file_is_skipped(root: Path) -> None:
    planned = plan(root, skip=True)
    assert planned[1].status is writer.Status.SKIP
    writer.apply(root, planned)
    assert (root / AUTHOR).read_bytes() == BEFORE.encode()


def test_with_force_an_edit_is_an_edit(root: Path) -> None:
    assert plan(root, force=True)[1].status is writer.Status.EDIT


def test_a_file_changed_since_the_edit_was_made_is_refused(root: Path) -> None:
    (root / AUTHOR).write_text("# someone else's change\n")
    with pytest.raises(DbscaffoldError, match="changed while it was being edited"):
        plan(root)


def test_a_file_changed_between_plan_and_apply_writes_nothing(root: Path) -> None:
    planned = plan(root)
    (root / AUTHOR).write_text("# someone else's change\n")
    with pytest.raises(DbscaffoldError, match="nothing was written"):
        writer.apply(root, planned)
    assert (root / AUTHOR).read_text() == "# someone else's change\n"
    assert not (root / "src/shop/models/book.py").exists()
    assert sorted(p.name for p in (root / AUTHOR).parent.iterdir()) == ["author.py"]


def test_undo_puts_the_edited_file_back_and_removes_the_new_one(root: Path) -> None:
    planned = plan(root)
    writer.apply(root, planned)
    writer.undo(root, planned, {})
    assert (root / AUTHOR).read_bytes() == BEFORE.encode()
    assert not (root / "src/shop/models/book.py").exists()


def test_a_failure_part_way_leaves_the_edited_file_as_it_was(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = plan(root)
    real_replace = os.replace
    calls = []

    def failing_replace(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(DbscaffoldError, match="No space left"):
        writer.apply(root, planned)
    assert (root / AUTHOR).read_bytes() == BEFORE.encode()
    assert not (root / "src/shop/models/book.py").exists()


def test_the_diff_of_an_edit_is_a_unified_diff_between_a_and_b() -> None:
    write = writer.FileWrite(
        AUTHOR,
        "from x import A, B\n\n\nclass Author:\n    a: A\n    b: B\n",
        expected="from x import A\n\n\nclass Author:\n    a: A\n",
    )
    assert writer.unified_diff(write) == (
        "--- a/src/shop/models/author.py\n"
        "+++ b/src/shop/models/author.py\n"
        "@@ -1,5 +1,6 @@\n"
        "-from x import A\n"
        "+from x import A, B\n"
        " \n"
        " \n"
        " class Author:\n"
        "     a: A\n"
        "+    b: B\n"
    )


def test_a_diff_says_when_a_file_ends_without_a_newline() -> None:
    write = writer.FileWrite(AUTHOR, "a\nb\n", expected="a")
    assert writer.unified_diff(write) == (
        "--- a/src/shop/models/author.py\n"
        "+++ b/src/shop/models/author.py\n"
        "@@ -1 +1,2 @@\n"
        "-a\n"
        "\\ No newline at end of file\n"
        "+a\n"
        "+b\n"
    )


def test_a_removal_is_planned_applied_and_undone(root: Path) -> None:
    planned = writer.classify(
        root, [writer.FileWrite(AUTHOR, None, expected=BEFORE)], force=False, skip=False
    )
    assert writer.status_lines(planned) == [f"    remove  {AUTHOR}"]

    writer.apply(root, planned)
    assert not (root / AUTHOR).exists()

    writer.undo(root, planned, {})
    assert (root / AUTHOR).read_bytes() == BEFORE.encode()


def test_a_removal_of_a_file_changed_since_the_plan_writes_nothing(root: Path) -> None:
    planned = writer.classify(
        root,
        [
            writer.FileWrite(Path("src/shop/models/book.py"), "class Book(Base): ...\n"),
            writer.FileWrite(AUTHOR, None, expected=BEFORE),
        ],
        force=False,
        skip=False,
    )
    (root / AUTHOR).write_text("changed\n")

    with pytest.raises(DbscaffoldError, match="changed while it was being edited"):
        writer.apply(root, planned)
    assert (root / AUTHOR).read_text() == "changed\n"
    assert not (root / "src/shop/models/book.py").exists()
