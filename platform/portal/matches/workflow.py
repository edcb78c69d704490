"""From a ranked candidate to agreed assistance: propose, decide, deliver.

Every step checks who may take it, records itself in the audit trail and
queues the notifications for whoever must act next. Steps flush; the view or
command commits once. Two people acting on the same need, match or offer at
the same moment are kept apart by the records' version columns: the second
flush fails with ``StaleDataError`` and the view tells that person to reload.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matching.constraints import violations
from portal.audit import services as audit
from portal.auth.models import Role, User
from portal.database import utcnow
from portal.errors import ValidationError
from portal.extensions import db
from portal.interchange import mapping as interchange
from portal.lifecycle import set_status
from portal.matches import services as rankings
from portal.matches.models import (
    OPEN_MATCH_STATUSES,
    REJECTION_REASONS,
    Decision,
    Match,
    MatchStatus,
    RankedCandidate,
    Rejection,
)
from portal.needs.models import Confidentiality, Need
from portal.notifications.services import Notice, notify
from portal.offers.models import Offer
from portal.records import MATCHABLE_OFFER_STATUSES, OPEN_NEED_STATUSES, Status

# -- who is concerned ----------------------------------------------------------

def focal_points(organisation_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.organisation_id == organisation_id, User.role == Role.FOCAL_POINT, User.active)))


def contacts(match: Match) -> list[tuple[str, list[User]]]:
    """Once a match is agreed, each side may see who to talk to on the other."""
    if match.status not in (MatchStatus.AGREED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED):
        return []
    return [
        (f"Requesting State ({match.need.organisation.name})", focal_points(match.need.organisation_id)),
        (f"Donor ({match.offer.organisation.name})", focal_points(match.offer.organisation_id)),
        ("Secretariat", _proposer(match)),
    ]


def donor_may_know(match: Match) -> bool:
    """A restricted need's proposal is shown to the donor only once the State agreed."""
    return (match.need.confidentiality != Confidentiality.RESTRICTED
            or match.state_decision == Decision.ACCEPTED)


def _donor_side(match: Match) -> list[User]:
    return focal_points(match.offer.organisation_id) if donor_may_know(match) else []


def _proposer(match: Match) -> list[User]:
    user = db.session.get(User, match.proposed_by_id) if match.proposed_by_id else None
    return [user] if user else []


def _touch(record, actor: User) -> None:
    """Mark a record as changed by this step, so its version moves on and a
    concurrent step on the same record fails instead of silently interleaving."""
    record.updated_at = utcnow()
    record.updated_by_id = actor.id


def _match_event(action: str, match: Match, actor: User, before: dict | None, note: str | None = None):
    after = audit.snapshot(match)
    if before is not None:
        before, after = audit.changed_only(before, after)
    audit.record(action, match, actor=actor, before=before, after=after, note=note)


def _notice(kind: str, subject: str, summary: str, match: Match) -> Notice:
    return Notice(kind=kind, subject=subject, summary=summary,
                  endpoint="matches.view", endpoint_args={"match_id": match.id})


# -- coordinators ----------------------------------------------------------------

def propose(need: Need, offer: Offer, coordinator: User, *, note: str | None = None) -> Match:
    """Propose an offer for a need to both sides."""
    if not coordinator.is_coordinator:
        raise ValidationError("need", _("only coordinators propose matches"))
    if need.status not in OPEN_NEED_STATUSES:
        raise ValidationError("need", _("this need is not open for matching"))
    if offer.status not in MATCHABLE_OFFER_STATUSES:
        raise ValidationError("offer", _("this offer is not available"))
    if offer.remaining_capacity < 1:
        raise ValidationError("offer", _("this offer has no capacity left"))
    broken = violations(interchange.need_to_record(need), interchange.offer_to_record(offer))
    if broken:
        from portal.matches.reasons import constraint_text

        raise ValidationError("offer", _("this offer breaks a hard constraint: %(constraints)s",
                                         constraints="; ".join(constraint_text(v.code, v.params, v.text)
                                                               for v in broken)))
    if db.session.scalar(sa.select(Match.id).where(
            Match.need_id == need.id, Match.offer_id == offer.id,
            Match.status.in_(OPEN_MATCH_STATUSES))):
        raise ValidationError("offer", _("this offer is already proposed for this need"))
    candidate = db.session.scalar(sa.select(RankedCandidate).where(
        RankedCandidate.need_id == need.id, RankedCandidate.offer_id == offer.id))
    match = Match(need=need, offer=offer, note=(note or "").strip() or None,
                  proposed_by_id=coordinator.id,
                  score=candidate.score if candidate else None,
                  features=candidate.features if candidate else None)
    db.session.add(match)
    _touch(need, coordinator)
    set_status(need, Status.UNDER_REVIEW, coordinator)
    db.session.flush()
    _match_event("match.proposed", match, coordinator, None, note=match.note)
    _ask_the_donor(match)
    notify(focal_points(need.organisation_id),
           _notice("proposal_to_state", _l("An offer is proposed for your need"),
                   _l("An offer is proposed for your need “%(need)s”. Please confirm or decline.",
                      need=need.title), match),
           match=match)
    return match


def _ask_the_donor(match: Match) -> None:
    notify(_donor_side(match),
           _notice("proposal_to_donor", _l("An offer of yours is proposed for a need"),
                   _l("Your offer “%(offer)s” is proposed for a need. Please accept or decline.",
                      offer=match.offer.title),
                   match),
           match=match)


def reject(need: Need, offer: Offer, coordinator: User, *, reason: str, note: str | None = None) -> Rejection:
    """Rule a candidate out for a need; it stops being shown and becomes a negative example."""
    if not coordinator.is_coordinator:
        raise ValidationError("need", _("only coordinators reject candidates"))
    if reason not in REJECTION_REASONS:
        raise ValidationError("reason", _("choose a reason from the list"))
    if reason == "other" and not (note or "").strip():
        raise ValidationError("note", _("say why, when the reason is “other”"))
    if db.session.scalar(sa.select(Rejection.id).where(
            Rejection.need_id == need.id, Rejection.offer_id == offer.id)):
        raise ValidationError("offer", _("this candidate is already rejected"))
    candidate = db.session.scalar(sa.select(RankedCandidate).where(
        RankedCandidate.need_id == need.id, RankedCandidate.offer_id == offer.id))
    rejection = Rejection(need_id=need.id, offer_id=offer.id, reason=reason,
                          note=(note or "").strip() or None, rejected_by_id=coordinator.id,
                          score=candidate.score if candidate else None,
                          features=candidate.features if candidate else None)
    db.session.add(rejection)
    _touch(need, coordinator)
    set_status(need, Status.UNDER_REVIEW, coordinator)
    db.session.flush()
    audit.record("candidate.rejected", need, actor=coordinator,
                 after={"offer_id": offer.id, "reason": reason}, note=rejection.note)
    return rejection


def cancel(match: Match, actor: User, *, reason: str, notify_sides: bool = True) -> None:
    """Call off a proposed or agreed match; an agreed one gives its capacity back."""
    if match.status not in (MatchStatus.PROPOSED, MatchStatus.AGREED):
        raise ValidationError("match", _("only a proposed or agreed match can be cancelled"))
    if not (reason or "").strip():
        raise ValidationError("reason", _("say why the match is cancelled"))
    before = audit.snapshot(match)
    was_agreed = match.status == MatchStatus.AGREED
    match.status = MatchStatus.CANCELLED
    match.closed_at = utcnow()
    match.closed_reason = reason.strip()
    offer, need = match.offer, match.need
    if was_agreed:
        audit.record("offer.engagement_returned", offer, actor=actor,
                     before={"remaining_capacity": offer.remaining_capacity},
                     after={"remaining_capacity": offer.remaining_capacity + 1}, note=f"match {match.id}")
        offer.remaining_capacity += 1
        _touch(offer, actor)
        if not _other_agreed(offer_id=offer.id, excluding=match.id) and offer.status == Status.MATCHED:
            set_status(offer, Status.SUBMITTED, actor, note="its only agreed match was cancelled")
        if not _other_agreed(need_id=need.id, excluding=match.id) and need.status == Status.MATCHED:
            set_status(need, Status.UNDER_REVIEW, actor, note="its only agreed match was cancelled")
    db.session.flush()
    if was_agreed:
        rankings.refresh_offer(offer)  # its engagement is free again
    _match_event("match.cancelled", match, actor, before, note=reason)
    if notify_sides:
        people = _donor_side(match) + focal_points(need.organisation_id) + _proposer(match)
        notify([p for p in people if p.id != actor.id],
               _notice("match_cancelled", _l("A proposed match was called off"),
                       _l("The match of “%(offer)s” for “%(need)s” was cancelled: %(reason)s",
                          offer=offer.title, need=need.title, reason=reason), match),
               match=match, reason=reason)


def _other_agreed(*, excluding: int, need_id: int | None = None, offer_id: int | None = None) -> bool:
    stmt = sa.select(Match.id).where(
        Match.id != excluding, Match.status.in_((MatchStatus.AGREED, MatchStatus.IN_DELIVERY)))
    stmt = stmt.where(Match.need_id == need_id) if need_id else stmt.where(Match.offer_id == offer_id)
    return db.session.scalar(stmt.limit(1)) is not None


# -- the two sides -------------------------------------------------------------

def side_of(match: Match, user: User) -> str | None:
    """'donor' or 'state' if the user speaks for that side of the match."""
    if user.role != Role.FOCAL_POINT:
        return None
    if user.organisation_id == match.offer.organisation_id:
        return "donor"
    if user.organisation_id == match.need.organisation_id:
        return "state"
    return None


def decide(match: Match, user: User, decision: Decision, *, reason: str | None = None) -> None:
    """The donor accepts or declines; the State confirms or declines.

    When both have said yes the match is agreed: the offer's capacity goes
    down by one (refused if none is left) and the need and offer move on.
    """
    side = side_of(match, user)
    if side is None:
        raise ValidationError("match", _("only the donor's or the State's focal point can answer"))
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError("match", _("this proposal is no longer waiting for an answer"))
    if getattr(match, f"{side}_decision") is not None:
        raise ValidationError("decision", _("your organisation has already answered"))
    decision = Decision(decision)
    reason = (reason or "").strip() or None
    if decision == Decision.DECLINED and not reason:
        raise ValidationError("reason", _("say why you decline"))
    before = audit.snapshot(match)
    setattr(match, f"{side}_decision", decision)
    setattr(match, f"{side}_reason", reason)
    setattr(match, f"{side}_decided_by_id", user.id)
    setattr(match, f"{side}_decided_at", utcnow())
    if decision == Decision.DECLINED:
        match.status = MatchStatus.DECLINED
        match.closed_at = utcnow()
    elif match.donor_decision == Decision.ACCEPTED and match.state_decision == Decision.ACCEPTED:
        _agree(match, user)
    db.session.flush()
    if match.status == MatchStatus.AGREED:
        rankings.refresh_offer(match.offer)  # it may have used the offer's last engagement
    _match_event(f"match.{side}_{decision.value}", match, user, before, note=reason)
    _tell_about_decision(match, user, side, decision, reason)


def _agree(match: Match, user: User) -> None:
    offer, need = match.offer, match.need
    if offer.remaining_capacity < 1 or offer.status not in MATCHABLE_OFFER_STATUSES:
        raise ValidationError("decision", _("the offer has no capacity left: another match took its last engagement"))
    audit.record("offer.engagement_taken", offer, actor=user,
                 before={"remaining_capacity": offer.remaining_capacity},
                 after={"remaining_capacity": offer.remaining_capacity - 1}, note=f"match {match.id}")
    offer.remaining_capacity -= 1
    _touch(offer, user)
    _touch(need, user)
    match.status = MatchStatus.AGREED
    match.agreed_at = utcnow()
    set_status(offer, Status.MATCHED, user)
    set_status(need, Status.MATCHED, user)


def _tell_about_decision(match: Match, user: User, side: str, decision: Decision, reason: str | None):
    other = focal_points(match.need.organisation_id) if side == "donor" else _donor_side(match)
    if match.status == MatchStatus.AGREED:
        people = focal_points(match.offer.organisation_id) + focal_points(match.need.organisation_id) + _proposer(match)
        notify(people, _notice("match_agreed", _l("A match is agreed"),
                               _l("Both sides agreed: “%(offer)s” for “%(need)s”.",
                                  offer=match.offer.title, need=match.need.title), match),
               match=match)
    elif (decision == Decision.ACCEPTED and side == "state"
          and match.need.confidentiality == Confidentiality.RESTRICTED):
        _ask_the_donor(match)  # the donor learns of a restricted need only now
        notify(_proposer(match), _notice(
            "match_half_accepted", _l("One side has said yes"),
            _l("The requesting State accepted the proposal of “%(offer)s” for “%(need)s”; "
               "the donor has yet to answer.", offer=match.offer.title, need=match.need.title), match), match=match)
    elif decision == Decision.ACCEPTED:
        if side == "donor":
            summary = _l("The donor accepted the proposal of “%(offer)s” for “%(need)s”; "
                         "the requesting State has yet to answer.",
                         offer=match.offer.title, need=match.need.title)
        else:
            summary = _l("The requesting State accepted the proposal of “%(offer)s” for “%(need)s”; "
                         "the donor has yet to answer.", offer=match.offer.title, need=match.need.title)
        notify(other + _proposer(match),
               _notice("match_half_accepted", _l("One side has said yes"), summary, match),
               match=match)
    elif decision == Decision.DECLINED:
        notify(other + _proposer(match),
               _notice("match_declined", _l("A proposed match was declined"),
                       _l("The proposal of “%(offer)s” for “%(need)s” was declined.",
                          offer=match.offer.title, need=match.need.title), match),
               match=match, reason=reason, side=side)


def start_delivery(match: Match, user: User) -> None:
    """The donor records that delivery has begun."""
    if side_of(match, user) != "donor":
        raise ValidationError("match", _("only the donor records the start of delivery"))
    if match.status != MatchStatus.AGREED:
        raise ValidationError("match", _("delivery can start only once the match is agreed"))
    before = audit.snapshot(match)
    match.status = MatchStatus.IN_DELIVERY
    set_status(match.need, Status.IN_DELIVERY, user)
    set_status(match.offer, Status.IN_DELIVERY, user)
    _touch(match.need, user)
    db.session.flush()
    _match_event("match.delivery_started", match, user, before)
    notify(focal_points(match.need.organisation_id),
           _notice("delivery_started", _l("Delivery has started"),
                   _l("Delivery of “%(offer)s” has started. Confirm when it is completed.",
                      offer=match.offer.title), match),
           match=match)


def complete(match: Match, user: User) -> None:
    """The requesting State confirms that the assistance was delivered."""
    if side_of(match, user) != "state":
        raise ValidationError("match", _("only the requesting State confirms completion"))
    if match.status != MatchStatus.IN_DELIVERY:
        raise ValidationError("match", _("only a match in delivery can be completed"))
    before = audit.snapshot(match)
    match.status = MatchStatus.COMPLETED
    match.closed_at = utcnow()
    need, offer = match.need, match.offer
    db.session.flush()
    if not _still_open(need_id=need.id):
        set_status(need, Status.COMPLETED, user)
    if offer.remaining_capacity == 0 and not _still_open(offer_id=offer.id):
        set_status(offer, Status.COMPLETED, user)
    _touch(need, user)
    db.session.flush()
    _match_event("match.completed", match, user, before)
    notify(focal_points(offer.organisation_id) + _proposer(match),
           _notice("delivery_completed", _l("Delivery confirmed"),
                   _l("The State confirmed that “%(offer)s” was delivered.", offer=offer.title), match),
           match=match)


def _still_open(*, need_id: int | None = None, offer_id: int | None = None) -> bool:
    stmt = sa.select(Match.id).where(Match.status.in_(OPEN_MATCH_STATUSES))
    stmt = stmt.where(Match.need_id == need_id) if need_id else stmt.where(Match.offer_id == offer_id)
    return db.session.scalar(stmt.limit(1)) is not None


# -- withdrawals ---------------------------------------------------------------

def cancel_open_proposals(*, actor: User, need: Need | None = None, offer: Offer | None = None,
                          reason: str | None = None) -> int:
    """A need or offer was withdrawn: call off its proposals and tell the other side."""
    stmt = sa.select(Match).where(Match.status == MatchStatus.PROPOSED)
    stmt = stmt.where(Match.need_id == need.id) if need else stmt.where(Match.offer_id == offer.id)
    proposals = list(db.session.scalars(stmt))
    what = "need" if need else "offer"
    for match in proposals:
        cancel(match, actor, reason=f"the {what} was withdrawn" + (f": {reason}" if reason else ""))
    return len(proposals)
