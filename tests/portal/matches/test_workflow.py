"""From a candidate to an agreed match: the rules of each step."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEvent
from portal.auth.models import OrganisationKind, Role
from portal.errors import ValidationError
from portal.extensions import mail
from portal.matches import services as rankings
from portal.matches import workflow
from portal.matches.models import Decision, Match, MatchStatus
from portal.needs import services as needs
from portal.notifications.models import Notification, OutboxMessage
from portal.records import Status


def actions(db, subject_type: str, subject_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id
    ).order_by(AuditEvent.id)))


def agree(db, match, donor, state_user):
    workflow.decide(match, donor, Decision.ACCEPTED)
    workflow.decide(match, state_user, Decision.ACCEPTED)
    db.session.commit()


def test_proposal_reaches_both_sides(app, db, make_need, make_offer, coordinator, donor, state_user):
    need, offer = make_need(), make_offer()
    with mail.record_messages() as outbox:
        match = workflow.propose(need, offer, coordinator, note="A good fit")
        db.session.commit()
    assert match.status == MatchStatus.PROPOSED
    assert need.status == Status.UNDER_REVIEW
    assert sorted(message.recipients[0] for message in outbox) == sorted([donor.email, state_user.email])
    assert all("A good fit" in message.body for message in outbox)
    waiting = {user.id: [m.id for m in rankings.waiting_for(user)] for user in (donor, state_user)}
    assert waiting == {donor.id: [match.id], state_user.id: [match.id]}
    assert (rankings.count_waiting(donor), rankings.count_waiting(coordinator)) == (1, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2
    assert "match.proposed" in actions(db, "match", match.id)


def test_agreement_needs_both_sides_and_takes_capacity(db, make_need, make_offer, coordinator, donor, state_user):
    need, offer = make_need(), make_offer(capacity=2)
    match = workflow.propose(need, offer, coordinator)
    workflow.decide(match, donor, Decision.ACCEPTED)
    db.session.commit()
    assert match.status == MatchStatus.PROPOSED and offer.remaining_capacity == 2
    with mail.record_messages() as outbox:
        workflow.decide(match, state_user, Decision.ACCEPTED)
        db.session.commit()
    assert match.status == MatchStatus.AGREED
    assert offer.remaining_capacity == 1
    assert (need.status, offer.status) == (Status.MATCHED, Status.MATCHED)
    assert {m.recipients[0] for m in outbox} == {donor.email, state_user.email, coordinator.email}
    assert actions(db, "match", match.id) == ["match.proposed", "match.donor_accepted", "match.state_accepted"]


def test_decline_needs_a_reason_and_closes_the_match(db, make_need, make_offer, coordinator, donor, state_user):
    match = workflow.propose(make_need(), make_offer(), coordinator)
    db.session.commit()
    with pytest.raises(ValidationError) as error:
        workflow.decide(match, donor, Decision.DECLINED, reason="  ")
    assert error.value.field == "reason"
    with mail.record_messages() as outbox:
        workflow.decide(match, donor, Decision.DECLINED, reason="No trainers free in 2026")
        db.session.commit()
    assert match.status == MatchStatus.DECLINED
    assert {m.recipients[0] for m in outbox} == {state_user.email, coordinator.email}
    assert "No trainers free in 2026" in outbox[0].body


def test_only_the_two_sides_may_answer(db, make_need, make_offer, make_user, coordinator):
    match = workflow.propose(make_need(), make_offer(), coordinator)
    db.session.commit()
    stranger = make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY)
    for user in (stranger, coordinator):
        with pytest.raises(ValidationError):
            workflow.decide(match, user, Decision.ACCEPTED)


def test_last_engagement_goes_to_one_need_only(db, make_need, make_offer, make_user, coordinator, donor, state_user):
    offer = make_offer(capacity=1)
    other_state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    first, second = make_need(), make_need(user=other_state)
    match_a = workflow.propose(first, offer, coordinator)
    match_b = workflow.propose(second, offer, coordinator)
    workflow.decide(match_b, donor, Decision.ACCEPTED)
    agree(db, match_a, donor, state_user)
    assert offer.remaining_capacity == 0
    with pytest.raises(ValidationError, match="no capacity left"):
        workflow.decide(match_b, other_state, Decision.ACCEPTED)
    db.session.rollback()
    db.session.refresh(offer)
    assert offer.remaining_capacity == 0
    # With no engagement left the offer stops appearing as a candidate.
    assert offer.id not in {c.offer_id for c in rankings.candidates_for(second)}


def test_cancelling_an_agreed_match_gives_the_engagement_back(db, make_need, make_offer, coordinator, donor, state_user):
    need, offer = make_need(), make_offer(capacity=1)
    match = workflow.propose(need, offer, coordinator)
    agree(db, match, donor, state_user)
    assert rankings.candidates_for(need) == []
    workflow.cancel(match, coordinator, reason="The State's plans changed")
    db.session.commit()
    assert match.status == MatchStatus.CANCELLED
    assert offer.remaining_capacity == 1
    assert need.status == Status.UNDER_REVIEW
    assert [c.offer_id for c in rankings.candidates_for(need)] == [offer.id]


def test_withdrawn_need_cancels_its_proposals_and_tells_the_donor(db, make_need, make_offer, coordinator, donor, state_user):
    need = make_need()
    match = workflow.propose(need, make_offer(), coordinator)
    db.session.commit()
    with mail.record_messages() as outbox:
        needs.withdraw_need(need, state_user)
        db.session.commit()
    assert match.status == MatchStatus.CANCELLED
    assert donor.email in {m.recipients[0] for m in outbox}
    assert "withdrawn" in db.session.scalar(sa.select(AuditEvent.note).where(
        AuditEvent.action == "match.cancelled"))


def test_delivery_then_completion_by_the_right_sides(db, make_need, make_offer, coordinator, donor, state_user):
    need, offer = make_need(), make_offer(capacity=1)
    match = workflow.propose(need, offer, coordinator)
    agree(db, match, donor, state_user)
    with pytest.raises(ValidationError):
        workflow.start_delivery(match, state_user)
    workflow.start_delivery(match, donor)
    db.session.commit()
    assert (match.status, need.status, offer.status) == (
        MatchStatus.IN_DELIVERY, Status.IN_DELIVERY, Status.IN_DELIVERY)
    with pytest.raises(ValidationError):
        workflow.complete(match, donor)
    workflow.complete(match, state_user)
    db.session.commit()
    assert (match.status, need.status, offer.status) == (
        MatchStatus.COMPLETED, Status.COMPLETED, Status.COMPLETED)


def test_offer_breaking_a_hard_constraint_cannot_be_proposed(db, make_need, make_offer, coordinator):
    offer = make_offer(working_languages=["fr"], title="Cours en français")
    with pytest.raises(ValidationError, match="working language"):
        workflow.propose(make_need(), offer, coordinator)


def test_same_pair_cannot_be_proposed_twice(db, make_need, make_offer, coordinator):
    need, offer = make_need(), make_offer()
    workflow.propose(need, offer, coordinator)
    db.session.commit()
    with pytest.raises(ValidationError, match="already proposed"):
        workflow.propose(need, offer, coordinator)


def test_rejected_candidate_is_no_longer_shown(db, make_need, make_offer, coordinator):
    need, offer = make_need(), make_offer()
    assert [c.offer_id for c in rankings.review_candidates(need)] == [offer.id]
    with pytest.raises(ValidationError) as error:
        workflow.reject(need, offer, coordinator, reason="other", note="")
    assert error.value.field == "note"
    workflow.reject(need, offer, coordinator, reason="too_small")
    db.session.commit()
    assert rankings.review_candidates(need) == []
    assert actions(db, "need", need.id)[-1] == "candidate.rejected"


def test_a_failed_step_sends_no_mail(app, db, make_need, make_offer, coordinator):
    need, offer = make_need(), make_offer()
    with mail.record_messages() as outbox:
        workflow.propose(need, offer, coordinator)
        db.session.rollback()
    assert outbox == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 0
