"""What a requesting State can do with its needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from matching import validate_need
from portal import lifecycle
from portal.auth.access import is_state_focal_point
from portal.auth.models import User
from portal.errors import ValidationError
from portal.extensions import db
from portal.interchange.mapping import need_to_record
from portal.matches import services as matches
from portal.matches import workflow
from portal.needs.models import Need
from portal.records import Status


def _check(fields: Mapping[str, Any], country: str, draft: bool = False) -> None:
    lifecycle.check_fields(validate_need, dict(fields, id="new", country=country), draft=draft)


def create_need(fields: Mapping[str, Any], user: User, *, submit: bool = False) -> Need:
    """Record a new need of the user's State, as a draft or submitted at once."""
    if not is_state_focal_point(user):
        raise ValidationError("organisation", _("only a requesting State's focal point submits needs"))
    country = user.organisation.country
    _check(fields, country, draft=not submit)
    need = Need(
        ref=lifecycle.new_ref("N"), organisation_id=user.organisation_id, country=country,
        status=Status.SUBMITTED if submit else Status.DRAFT, created_by_id=user.id,
    )
    lifecycle.apply_fields(need, fields, user)
    db.session.add(need)
    db.session.flush()
    lifecycle.record_created(need, user)
    matches.rank_need(need)
    return need


def update_need(need: Need, fields: Mapping[str, Any], user: User, *, submit: bool = False) -> Need:
    lifecycle.update(need, fields, user, check=lambda f, draft: _check(f, need.country, draft), submit=submit)
    db.session.flush()
    matches.rank_need(need)
    return need


def submit_need(need: Need, user: User) -> None:
    lifecycle.check_fields(validate_need, need_to_record(need))
    lifecycle.submit_record(need, user)
    db.session.flush()
    matches.rank_need(need)


def withdraw_need(need: Need, user: User, reason: str | None = None) -> None:
    """Withdraw it; its open proposals are called off and the other sides told."""
    reason = (reason or "").strip() or None
    lifecycle.withdraw_record(need, user, reason)
    workflow.cancel_open_proposals(actor=user, need=need, reason=reason)
    db.session.flush()
    matches.rank_need(need)


def visible_needs(user: User, filters: lifecycle.ListFilters) -> sa.Select:
    stmt = lifecycle.visible_records(Need, user, filters)
    if filters.country and user.is_coordinator:
        stmt = stmt.where(Need.country == filters.country)
    return stmt
