"""dbscaffold: a Copier template and CLI for async SQLAlchemy 2.x + Alembic projects."""

__version__ = "0.1.0"
