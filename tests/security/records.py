"""One of every record the platform's forms act on, made with the services."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.api import services as api_tokens
from portal.auth import services as auth_services
from portal.auth.models import OrganisationKind, Role
from portal.extensions import db
from portal.matches import workflow
from portal.needs import services as needs
from portal.notifications.models import Notification
from portal.offers import services as offers
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import PASSWORD

NEED = need_fields()
OFFER = offer_fields(capacity=3)


def make_users(make_user) -> dict:
    return {
        "state": make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN"),
        "donor": make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE),
        "coordinator": make_user(Role.COORDINATOR),
        "admin": make_user(Role.ADMIN),
    }


def make_need(user, *, submit: bool = True, **overrides):
    need = needs.create_need(dict(NEED, **overrides), user, submit=submit)
    db.session.commit()
    return need


def make_offer(user, *, submit: bool = True, **overrides):
    offer = offers.create_offer(dict(OFFER, **overrides), user, submit=submit)
    db.session.commit()
    return offer


def make_invitation(organisation, admin, email: str) -> str:
    _, token = auth_services.invite_user(
        email=email, name="Invited Person", role=Role.FOCAL_POINT, organisation=organisation,
        invited_by=admin, valid_for=timedelta(days=7),
    )
    db.session.commit()
    return token


def make_records(make_user) -> dict:
    """Users of every role, a need, an offer, a proposed match, an invitation, a notification.

    Returns the values the URL map's rules take (``need_id``, ``token``…), the
    users by role and their password.
    """
    users = make_users(make_user)
    need = make_need(users["state"])
    offer = make_offer(users["donor"])
    match = workflow.propose(need, offer, users["coordinator"], note="Fits well")
    db.session.commit()
    token = make_invitation(users["state"].organisation, users["admin"], "invited@example.org")
    notification_id = db.session.scalar(sa.select(sa.func.min(Notification.id)))
    api_token, _ = api_tokens.create_token(users["state"], "records")
    db.session.commit()
    return {
        "need_id": need.id, "offer_id": offer.id, "match_id": match.id,
        "organisation_id": users["state"].organisation_id, "user_id": users["donor"].id,
        "notification_id": notification_id, "token": token, "token_id": api_token.id,
        "users": users, "password": PASSWORD,
    }
