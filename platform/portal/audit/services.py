"""Write the audit trail. Services call :func:`record` for every step they take."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import selectinload

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db

# Columns that change on every write and say nothing a reader needs.
_SKIPPED = {"updated_at", "updated_by_id", "created_at", "created_by_id", "password_hash",
            "token_hash", "session_version"}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def snapshot(record) -> dict[str, Any]:
    """The record's columns as JSON-ready data, for the before/after of an event."""
    mapper = inspect(record).mapper
    return {
        attr.key: _plain(getattr(record, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _SKIPPED
    }


def changed_only(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Keep only the fields that differ, so an event shows what the step changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(action: str, subject, *, actor: User | None, before: dict | None = None,
           after: dict | None = None, note: str | None = None,
           subject_type: str | None = None) -> AuditEvent:
    """Append one event. ``subject`` is a model instance (or None with subject_type)."""
    event = AuditEvent(
        action=action,
        subject_type=subject_type or subject.__tablename__,
        subject_id=getattr(subject, "id", None),
        actor_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        before=json.loads(json.dumps(before, default=str)) if before is not None else None,
        after=json.loads(json.dumps(after, default=str)) if after is not None else None,
        note=note,
    )
    db.session.add(event)
    return event


def trail(subject_type: str, subject_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .options(selectinload(AuditEvent.actor))  # one query for the names, not one per row
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ))
