"""``project``: what add-model reads of a project's models, as text, without importing them."""

from pathlib import Path

from dbscaffold.project import ExistingModel, scan_models, scan_tables

AUTHOR = '''"""The Author model."""

class Author(IntegerPrimaryKeyMixin, SoftDeleteMixin, Base):
    __tablename__ = "author"
'''

BOOK = '''"""The Book model."""

book_tag = Table(
    "book_tag",
    Base.metadata,
)
legacy = Table('legacy_link', Base.metadata)


class Book(
    UUIDPrimaryKeyMixin,
    Base,
):
    __tablename__ = "book"
'''


def write(directory: Path, **modules: str) -> Path:
    for name, text in modules.items():
        (directory / f"{name}.py").write_text(text)
    (directory / "__init__.py").write_text("")
    return directory


def test_models_with_their_key_type_and_mixins(tmp_path: Path) -> None:
    models = scan_models(write(tmp_path, author=AUTHOR))

    assert models == [
        ExistingModel(
            "Author", "author", "author", "int", soft_delete=True, mixins=("soft_delete",)
        )
    ]


def test_association_tables_are_tables_without_a_model(tmp_path: Path) -> None:
    tables = scan_tables(write(tmp_path, author=AUTHOR, book=BOOK))

    assert tables == {"book_tag": "book", "legacy_link": "book"}
