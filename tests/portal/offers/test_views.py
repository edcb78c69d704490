"""Offers through the web forms, as a donor's focal point uses them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.auth.models import OrganisationKind, Role
from portal.offers.models import Offer
from portal.records import Status
from tests.fixtures.portal import count_rows


def offer_form(**overrides) -> dict:
    data = {
        "provider": "Valdoria Ministry of Justice",
        "capacity": "3",
        "title": "Mentoring for central authorities on mutual legal assistance",
        "description": "Experienced practitioners mentor central authority staff on "
                       "drafting and executing requests for electronic evidence.",
        "language": "en",
        "working_languages": ["en", "es"],
        "themes": ["international_cooperation"],
        "modalities": ["mentoring"],
        "beneficiaries": ["central_authority"],
        "regions": ["africa", "americas"],
        "eligible_countries": [],
        "excluded_countries": [],
        "budget_usd": "80000",
        "start": "2026-02",
        "end": "2027-01",
        "submit": "Submit",
    }
    data.update(overrides)
    return data


def test_donor_posts_an_offer(client, login, donor_user, db):
    login(donor_user)
    response = client.post("/offers/new", data=offer_form())
    offer = db.session.scalar(sa.select(Offer))
    assert response.status_code == 302
    assert offer.status == Status.SUBMITTED
    assert offer.organisation_id == donor_user.organisation_id
    assert offer.capacity == 3
    assert offer.regions == ["africa", "americas"]
    assert offer.ref.startswith("O-")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"eligible_countries": ["FRA"], "regions": ["africa"]}, "regions", "leave out eligible States: France"),
        ({"eligible_countries": ["KEN"], "excluded_countries": ["KEN"]}, "excluded_countries", "both eligible and excluded: Kenya"),
        ({"capacity": "0"}, "capacity", "Between 1 and"),
        ({"provider": ""}, "provider", "Say who provides it."),
        ({"regions": ["atlantis"]}, "regions", "not a valid choice"),
        ({"excluded_countries": ["XXX"]}, "excluded_countries", "not a valid choice"),
        ({"start": "2027-05", "end": "2026-01"}, "end", "before its start"),
    ],
)
def test_invalid_offer_rerenders_with_message_at_the_field(client, login, donor_user, overrides, field, message):
    login(donor_user)
    response = client.post("/offers/new", data=offer_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    errors_block = page.split(f'id="{field}-errors"', 1)
    assert len(errors_block) == 2, f"no error list for {field}"
    assert message in errors_block[1].split("</ul>", 1)[0]
    assert "Mentoring for central authorities" in page
    assert count_rows(Offer) == 0


def test_state_cannot_post_offers(client, login, state_user):
    login(state_user)
    assert client.post("/offers/new", data=offer_form()).status_code == 403
    assert count_rows(Offer) == 0


def test_donors_do_not_see_each_others_drafts(client, auth, login, donor_user, make_user, db):
    login(donor_user)
    draft = offer_form(title="Unpublished idea")
    del draft["submit"]
    client.post("/offers/new", data=dict(draft, save_draft="Save as draft"))
    offer = db.session.scalar(sa.select(Offer))
    assert offer.status == Status.DRAFT
    auth.logout()
    login(make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY))
    assert client.get(f"/offers/{offer.id}").status_code == 404
    assert "Unpublished idea" not in client.get("/offers/").get_data(as_text=True)


def test_edit_an_offer(client, login, donor_user, db):
    login(donor_user)
    client.post("/offers/new", data=offer_form())
    offer = db.session.scalar(sa.select(Offer))
    client.post(f"/offers/{offer.id}/edit", data=offer_form(capacity="5", regions=[]))
    db.session.refresh(offer)
    assert offer.capacity == 5 and offer.regions == []


def test_withdraw_an_offer(client, login, donor_user, db):
    login(donor_user)
    client.post("/offers/new", data=offer_form())
    offer = db.session.scalar(sa.select(Offer))
    client.post(f"/offers/{offer.id}/withdraw")
    db.session.refresh(offer)
    assert offer.status == Status.WITHDRAWN
    page = client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert f"/offers/{offer.id}/edit" not in page
