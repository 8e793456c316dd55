"""dbscaffold: a Copier template and CLI for async SQLAlchemy 2.x + Alembic projects."""


def __getattr__(name: str) -> str:
    # Read on first use, not at import: every command imports this package.
    if name == "__version__":
        from importlib.metadata import version

        return version("dbscaffold")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
