"""Exports: CSV and interchange JSON of needs, offers and matches, as each user may see them."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from matching import validate_records
from portal.auth.models import OrganisationKind, Role
from portal.exports.services import safe_cell
from portal.matches import workflow
from portal.matches.models import Decision, Match
from portal.needs import services as needs
from tests.factories import need_fields, offer_fields

RESTRICTED_MARKER = "QWXZ-restricted-5521"
HIDDEN_STATE_MARKER = "QWXZ-hidden-state-8812"
DRAFT_MARKER = "QWXZ-other-draft-3307"


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "spreadsheets need the byte order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def world(app, db, make_user, make_organisation, make_offer, coordinator):
    """A restricted need, a donors-only need from a State whose name is a marker,
    both proposed to the donor, and another donor's draft offer."""
    kenya = make_organisation(OrganisationKind.REQUESTING_STATE, name=HIDDEN_STATE_MARKER, country="KEN")
    state = make_user(Role.FOCAL_POINT, organisation=kenya)
    donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE)
    other_donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY)
    offer = make_offer(user=donor, capacity=5)
    restricted = needs.create_need(need_fields(title=RESTRICTED_MARKER, confidentiality="restricted"),
                                   state, submit=True)
    shared = needs.create_need(need_fields(title="Shared with donors", confidentiality="donors"),
                               state, submit=True)
    public = needs.create_need(need_fields(title="=HYPERLINK(\"http://evil\")", confidentiality="public"),
                               state, submit=True)
    db.session.commit()
    workflow.propose(restricted, offer, coordinator)
    workflow.propose(shared, offer, coordinator)
    db.session.commit()
    from portal.offers import services as offers

    offers.create_offer(offer_fields(title=DRAFT_MARKER), other_donor, submit=False)
    db.session.commit()
    return {"state": state, "donor": donor, "other_donor": other_donor, "offer": offer,
            "restricted": restricted, "shared": shared, "public": public}


EXPORTS = ["/exports/needs.csv", "/exports/needs.json", "/exports/offers.csv", "/exports/offers.json",
           "/exports/matches.csv", "/exports/matches.json", "/exports/offers.iati.xml"]


def test_a_coordinator_downloads_the_needs_csv(client, auth, coordinator, world):
    """As a new user would: log in (with the second factor), open Exports, follow the link."""
    assert auth.login(coordinator).status_code == 302
    page = client.get("/exports/").get_data(as_text=True)
    assert 'href="/exports/needs.csv"' in page
    response = client.get("/exports/needs.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="needs-')
    rows = read_csv(response)
    by_ref = {row["id"]: row for row in rows}
    assert set(by_ref) == {world["restricted"].ref, world["shared"].ref, world["public"].ref}
    row = by_ref[world["restricted"].ref]
    assert row["country"] == "KEN" and row["confidentiality"] == "restricted" and row["status"] == "under_review"
    assert row["working_languages"] == "en" and row["themes"] == "international_cooperation"
    # A title a spreadsheet would run as a formula is defused.
    assert by_ref[world["public"].ref]["title"] == "'=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("value,cell", [
    ("=1+1", "'=1+1"), ("+33 1", "'+33 1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (None, ""), (["a", "b"], "a;b"),
    (12.5, "12.5"), (["=x"], "'=x"),
])
def test_cells_are_safe_for_spreadsheets(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize("url", EXPORTS)
def test_a_donors_export_never_holds_a_restricted_need_a_withheld_state_or_others_drafts(
        client, login, world, url):
    login(world["donor"])
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for marker in (RESTRICTED_MARKER, HIDDEN_STATE_MARKER, DRAFT_MARKER, world["restricted"].ref):
        assert marker not in body, f"{marker} leaked in {url}"


def test_a_donor_sees_a_donors_need_without_its_state(client, login, world):
    login(world["donor"])
    records = {r["id"]: r for r in client.get("/exports/needs.json").get_json()}
    assert set(records) == {world["shared"].ref, world["public"].ref}
    assert records[world["shared"].ref]["country"] is None
    assert records[world["public"].ref]["country"] == "KEN"
    matches = client.get("/exports/matches.json").get_json()
    assert [m["need"]["ref"] for m in matches] == [world["shared"].ref]
    assert matches[0]["need"]["country"] is None
    rows = read_csv(client.get("/exports/matches.csv"))
    assert [row["need_country"] for row in rows] == [""]


def test_once_the_state_accepts_the_donor_exports_the_restricted_match(client, db, login, world):
    restricted_match = db.session.scalar(sa.select(Match).where(Match.need_id == world["restricted"].id))
    workflow.decide(restricted_match, world["state"], Decision.ACCEPTED)
    db.session.commit()
    login(world["donor"])
    matches = client.get("/exports/matches.json").get_json()
    assert world["restricted"].ref in {m["need"]["ref"] for m in matches}
    assert world["restricted"].ref in {r["id"] for r in client.get("/exports/needs.json").get_json()}


def test_a_state_exports_its_own_needs_drafts_included_and_no_offer(client, login, world, db):
    draft = needs.create_need(need_fields(title="Our draft"), world["state"], submit=False)
    db.session.commit()
    login(world["state"])
    refs = {r["id"] for r in client.get("/exports/needs.json").get_json()}
    assert {world["restricted"].ref, world["shared"].ref, draft.ref} <= refs
    assert client.get("/exports/offers.json").get_json() == []


def test_json_exports_are_the_interchange_format(client, login, coordinator, world):
    login(coordinator)
    needs_file = client.get("/exports/needs.json")
    assert needs_file.headers["Content-Disposition"].startswith('attachment; filename="requests-')
    validate_records(needs_file.get_json(), "need")
    offers_file = client.get("/exports/offers.json").get_json()
    validate_records(offers_file, "offer")
    assert [r["id"] for r in offers_file] == [world["offer"].ref]  # the other donor's draft stays out
    assert json.loads(needs_file.get_data(as_text=True)) == needs_file.get_json()


def test_exports_need_a_login(client):
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
