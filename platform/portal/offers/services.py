"""What a donor can do with its offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from matching import validate_offer
from portal import lifecycle
from portal.auth.access import is_donor_focal_point
from portal.auth.models import User
from portal.errors import ValidationError
from portal.extensions import db
from portal.interchange.mapping import offer_to_record
from portal.matches import services as matches
from portal.matches import workflow
from portal.offers.models import Offer
from portal.records import Status


def _check(fields: Mapping[str, Any], draft: bool = False) -> None:
    lifecycle.check_fields(validate_offer, dict(fields, id="new"), draft=draft)


def _engagements_taken(offer: Offer) -> int:
    return (offer.capacity or 0) - (offer.remaining_capacity or 0)


def create_offer(fields: Mapping[str, Any], user: User, *, submit: bool = False) -> Offer:
    """Record a new offer of the user's organisation, as a draft or published at once."""
    if not is_donor_focal_point(user):
        raise ValidationError("organisation", _("only a donor's focal point posts offers"))
    _check(fields, draft=not submit)
    offer = Offer(
        ref=lifecycle.new_ref("O"), organisation_id=user.organisation_id,
        status=Status.SUBMITTED if submit else Status.DRAFT, created_by_id=user.id,
    )
    lifecycle.apply_fields(offer, fields, user)
    offer.provider = offer.provider or user.organisation.name
    offer.capacity = offer.capacity or 1
    offer.remaining_capacity = offer.capacity
    db.session.add(offer)
    db.session.flush()
    lifecycle.record_created(offer, user)
    matches.refresh_offer(offer)
    return offer


def update_offer(offer: Offer, fields: Mapping[str, Any], user: User, *, submit: bool = False) -> Offer:
    taken = _engagements_taken(offer)
    if fields.get("capacity") is not None and fields["capacity"] < taken:
        raise ValidationError("capacity", _("%(taken)s engagement(s) are already agreed; the number cannot be lower", taken=taken))
    lifecycle.update(offer, fields, user, check=_check, submit=submit)
    offer.provider = offer.provider or user.organisation.name
    offer.capacity = offer.capacity or 1
    offer.remaining_capacity = offer.capacity - taken
    db.session.flush()
    matches.refresh_offer(offer)
    return offer


def submit_offer(offer: Offer, user: User) -> None:
    lifecycle.check_fields(validate_offer, offer_to_record(offer))
    lifecycle.submit_record(offer, user)
    db.session.flush()
    matches.refresh_offer(offer)


def withdraw_offer(offer: Offer, user: User, reason: str | None = None) -> None:
    """Withdraw it; its open proposals are called off and the other sides told."""
    reason = (reason or "").strip() or None
    lifecycle.withdraw_record(offer, user, reason)
    workflow.cancel_open_proposals(actor=user, offer=offer, reason=reason)
    db.session.flush()
    matches.refresh_offer(offer)


def visible_offers(user: User, filters: lifecycle.ListFilters) -> sa.Select:
    return lifecycle.visible_records(Offer, user, filters)
