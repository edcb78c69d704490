"""Audit events are written once and never changed.

Three locks keep the trail append-only: the service only ever inserts; the
ORM refuses to flush an update or a delete of an event; and a database
trigger refuses UPDATE and DELETE statements, whatever code sends them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.database import utcnow
from portal.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # A verb: need.submitted, offer.edited, match.proposed, auth.login_failed...
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(30))
    subject_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditTrailIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditTrailIsAppendOnly("audit events cannot be deleted")


# The same triggers are created by the migration; these make the test
# schema (created with create_all) identical in behaviour.
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}
DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update",
               "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
                   "DROP FUNCTION IF EXISTS audit_event_append_only()"],
}


@event.listens_for(AuditEvent.__table__, "after_create")
def _create_triggers(table, connection, **kw):
    for statement in TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
