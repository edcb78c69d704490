"""A need, an offer and the three parties, ready for the coordinator workflow."""

from __future__ import annotations

import pytest

from portal.auth.models import OrganisationKind, Role
from portal.needs import services as needs
from portal.offers import services as offers

NEED = {
    "title": "Mutual legal assistance for electronic evidence",
    "description": "Our central authority needs mentoring on drafting mutual legal assistance "
                   "requests for subscriber data and preservation of electronic evidence held abroad.",
    "language": "en", "working_languages": ["en"], "themes": ["international_cooperation"],
    "modalities": ["mentoring"], "beneficiaries": ["central_authority"], "delivery": [],
    "budget_usd": 60000.0, "start": "2026-01", "end": "2026-12",
}


def offer_fields(**overrides) -> dict:
    fields = {
        "provider": "Valdoria", "capacity": 2,
        "title": "Mentoring central authorities on mutual legal assistance requests",
        "description": "Practitioners mentor central authority staff on drafting mutual legal "
                       "assistance requests for electronic evidence and preservation orders.",
        "language": "en", "working_languages": ["en"], "themes": ["international_cooperation"],
        "modalities": ["mentoring"], "beneficiaries": ["central_authority"], "delivery": [],
        "regions": [], "eligible_countries": [], "excluded_countries": [],
        "budget_usd": 80000.0, "start": "2026-01", "end": "2027-06",
    }
    fields.update(overrides)
    return fields


def need_fields(**overrides) -> dict:
    return dict(NEED, **overrides)


@pytest.fixture
def donor(make_user):
    return make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE)


@pytest.fixture
def make_offer(db, donor):
    def make(user=None, **overrides):
        offer = offers.create_offer(offer_fields(**overrides), user or donor, submit=True)
        db.session.commit()
        return offer

    return make


@pytest.fixture
def make_need(db, state_user):
    def make(user=None, **overrides):
        need = needs.create_need(need_fields(**overrides), user or state_user, submit=True)
        db.session.commit()
        return need

    return make
