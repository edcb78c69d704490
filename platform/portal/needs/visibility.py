"""Who may read a need, and whether they may see which State asks.

A need shows where a State is weak. The State chooses its confidentiality:

- ``public``: every logged-in user may read it;
- ``donors``: donors' focal points may read it, without the State's name;
- ``restricted``: only the State and the secretariat.

Whatever the level, the donor of a proposed match sees the need and its State
once the State has agreed to that match. Every donor-facing page, list,
notification and e-mail asks this module first.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from portal.auth.access import is_donor_focal_point, owns
from portal.auth.models import User
from portal.extensions import db
from portal.needs.models import Confidentiality, Need
from portal.records import Status

#: What a need whose State is withheld shows instead of the State's name.
WITHHELD = _l("a requesting State (name withheld at its request)")


def _disclosed_query(organisation_id: int):
    from portal.matches.models import Decision, Match
    from portal.offers.models import Offer

    return (sa.select(Match.need_id).join(Match.offer)
            .where(Offer.organisation_id == organisation_id,
                   Match.state_decision == Decision.ACCEPTED))


def disclosed_to(need: Need, organisation_id: int) -> bool:
    """The State agreed to a match with this organisation's offer."""
    from portal.matches.models import Match

    known = g.get(_PRELOADED, {}).get(organisation_id) if has_app_context() else None
    if known is not None and need.id in known[0]:
        return need.id in known[1]
    return db.session.scalar(
        _disclosed_query(organisation_id).where(Match.need_id == need.id).limit(1)
    ) is not None


#: Where preload_disclosures keeps its answers for the rest of the request.
_PRELOADED = "_disclosed_needs"


def preload_disclosures(user: User, needs) -> None:
    """Answer :func:`disclosed_to` for a page of needs with one query, not one per need.

    For list pages (GET): the answers hold for these needs until the end of
    the request, which changes no decision.
    """
    ids = frozenset(need.id for need in needs)
    if not ids or user.organisation_id is None:
        return
    from portal.matches.models import Match

    disclosed = frozenset(db.session.scalars(
        _disclosed_query(user.organisation_id).where(Match.need_id.in_(ids))))
    g.setdefault(_PRELOADED, {})[user.organisation_id] = (ids, disclosed)


def can_read(user: User, need: Need) -> bool:
    if owns(user, need):
        return True
    if need.status == Status.DRAFT:
        return False  # drafts are private to their State, secretariat included
    if user.is_coordinator:
        return True
    if need.confidentiality in _open_levels(user):
        return True
    return disclosed_to(need, user.organisation_id)


def shows_state(user: User, need: Need) -> bool:
    """May this user see which State the need comes from?"""
    if owns(user, need) or user.is_coordinator or need.confidentiality == Confidentiality.PUBLIC:
        return True
    return disclosed_to(need, user.organisation_id)


def state_label(user: User, need: Need, country_name) -> str:
    return country_name(need.country) if shows_state(user, need) else str(WITHHELD)


def _open_levels(user: User) -> list[Confidentiality]:
    """The confidentiality levels open to ``user`` on other States' needs."""
    levels = [Confidentiality.PUBLIC]
    if is_donor_focal_point(user):
        levels.append(Confidentiality.DONORS)
    return levels


def browsable_by(user: User) -> sa.Select:
    """Open needs another organisation may browse: public ones, and for donors
    the ones shared with donors. Restricted needs never appear."""
    return (sa.select(Need)
            .where(Need.status.in_((Status.SUBMITTED, Status.UNDER_REVIEW)))
            .where(Need.confidentiality.in_(_open_levels(user)))
            .where(Need.organisation_id != user.organisation_id)
            .order_by(Need.created_at.desc(), Need.id.desc()))


def readable_by(user: User) -> sa.Select:
    """Every need ``user`` may read (``can_read`` as one query), newest change first.

    What the exports and the API list: the organisation's own needs (drafts
    included), and for anyone else the submitted ones their level opens to
    them, plus those whose State agreed to a match with the user's offer.
    """
    if user.is_coordinator:
        readable = Need.status != Status.DRAFT
    else:
        readable = sa.or_(
            Need.organisation_id == user.organisation_id,
            sa.and_(Need.status != Status.DRAFT,
                    sa.or_(Need.confidentiality.in_(_open_levels(user)),
                           Need.id.in_(_disclosed_query(user.organisation_id)))),
        )
    return sa.select(Need).where(readable).order_by(Need.updated_at.desc(), Need.id.desc())
