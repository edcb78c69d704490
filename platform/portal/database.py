"""Column types and mixins shared by the models, and SQLite connection set-up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CodeList(sa.types.TypeDecorator):
    """A list of codes from a fixed code list, stored as a JSON array.

    Codes are checked when they are written, so a bad code can never reach
    the database, whichever path (form, import, shell) tries to store it.
    """

    impl = sa.JSON
    cache_ok = True

    def __init__(self, allowed: Iterable[str] | None = None, *, name: str = "code"):
        super().__init__()
        self.allowed = frozenset(allowed) if allowed is not None else None
        self.name = name

    def process_bind_param(self, value, dialect):
        if value is None:
            return []
        codes = list(value)
        if self.allowed is not None:
            unknown = sorted(set(codes) - self.allowed)
            if unknown:
                raise ValueError(f"unknown {self.name} code(s): {', '.join(unknown)}")
        # Keep the user's order but drop repeats.
        return list(dict.fromkeys(codes))

    def process_result_value(self, value, dialect):
        return list(value or [])


class TimestampMixin:
    """When a row was created and last changed, and by whom."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Foreign keys on and a WAL journal: SQLite is the embedded default."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def render_migration_item(type_: str, obj, autogen_context):
    """Write CodeList columns into migrations as plain JSON, so that a migration
    never depends on application code that may change after it was written."""
    if type_ == "type" and isinstance(obj, CodeList):
        return "sa.JSON()"
    return False
