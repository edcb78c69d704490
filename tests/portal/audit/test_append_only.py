"""The audit trail is append-only, on every write path and in the database itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from portal.audit import services as audit
from portal.audit.models import AuditEvent, AuditTrailIsAppendOnly
from portal.interchange import services as interchange
from portal.matches import workflow
from portal.matches.models import Decision
from portal.needs import services as needs
from portal.offers import services as offers
from tests.factories import need_fields, offer_fields


def all_events(db) -> list[tuple]:
    db.session.expire_all()
    return [
        (e.id, e.occurred_at, e.actor_id, e.action, e.subject_type, e.subject_id, e.before, e.after, e.note)
        for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_every_write_path_only_appends(db, state_user, donor, coordinator):
    """Run each step that writes, and after each one check that the trail grew
    and that every event already there is exactly as it was."""
    state = {}

    def create_need():
        state["need"] = needs.create_need(need_fields(), state_user)

    def create_offer():
        state["offer"] = offers.create_offer(offer_fields(capacity=2), donor)

    steps = {
        "need created": create_need,
        "need edited": lambda: needs.update_need(state["need"], need_fields(title="Edited title"), state_user),
        "need submitted": lambda: needs.submit_need(state["need"], state_user),
        "offer created": create_offer,
        "offer edited": lambda: offers.update_offer(state["offer"], offer_fields(capacity=3), donor),
        "offer submitted": lambda: offers.submit_offer(state["offer"], donor),
        "proposed": lambda: state.update(match=workflow.propose(state["need"], state["offer"], coordinator)),
        "donor accepted": lambda: workflow.decide(state["match"], donor, Decision.ACCEPTED),
        "state accepted": lambda: workflow.decide(state["match"], state_user, Decision.ACCEPTED),
        "agreement cancelled": lambda: workflow.cancel(state["match"], coordinator, reason="test"),
        "proposed again": lambda: state.update(match=workflow.propose(state["need"], state["offer"], coordinator)),
        "declined": lambda: workflow.decide(state["match"], donor, Decision.DECLINED, reason="busy"),
        "candidate rejected": lambda: workflow.reject(state["need"], state["offer"], coordinator, reason="timing"),
        "imported": lambda: interchange.import_records([dict(need_fields(), id="IMP-1", country="GHA")], None),
        "re-imported": lambda: interchange.import_records(
            [dict(need_fields(title="Changed"), id="IMP-1", country="GHA")], None),
        "offer withdrawn": lambda: offers.withdraw_offer(state["offer"], donor),
        "need withdrawn": lambda: needs.withdraw_need(state["need"], state_user),
    }
    before = all_events(db)
    for name, step in steps.items():
        step()
        db.session.commit()
        after = all_events(db)
        assert len(after) > len(before), f"{name} wrote no audit event"
        assert after[: len(before)] == before, f"{name} changed an existing audit event"
        before = after


def test_the_orm_refuses_to_change_an_event(db, state_user):
    event = audit.record("test.event", state_user, actor=state_user)
    db.session.commit()
    event.note = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET note = 'rewritten'",
    "DELETE FROM audit_event",
])
def test_the_database_refuses_to_change_an_event(db, state_user, statement):
    audit.record("test.event", state_user, actor=state_user)
    db.session.commit()
    with pytest.raises(DatabaseError, match="audit events"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.note)) is None
