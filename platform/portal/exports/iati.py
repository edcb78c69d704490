"""Offers as IATI activities (IATI Standard 2.03), for donors' aid-transparency records.

One ``iati-activity`` per offer, drafts left out (they are not offers yet).
How the platform's fields become IATI elements (see the notes in the README):

- ``iati-identifier``: the reporting organisation's IATI identifier, a dash,
  the offer's reference (``O-…``). A donor gives its own organisation
  identifier (from org-id.guide, e.g. ``XM-DAC-7``) on the exports page;
  without one, ``XI-CAPMATCH-<organisation number>`` stands in and must be
  replaced before publishing.
- ``reporting-org`` and ``participating-org`` (role 1 funding, 4
  implementing): the offer's organisation, typed from its kind (OrganisationType
  codelist: donor State 10, international organisation 40, company 70, NGO 21,
  academia 80).
- ``title``/``description``: one narrative each, ``xml:lang`` = the offer's language.
- ``activity-status`` (ActivityStatus codelist): submitted or under review 1
  (pipeline), matched or in delivery 2 (implementation), completed 3
  (finalisation), withdrawn 5 (cancelled).
- ``activity-date``: type 1 (planned start) the first day of ``start``, type 3
  (planned end) the last day of ``end``; without a window, type 1 is the day the
  offer was posted.
- ``recipient-country`` (ISO 3166-1 alpha-2) for each eligible country, else
  ``recipient-region`` (vocabulary 2, UN M49: Africa 002, Americas 019, Asia
  142, Europe 150, Oceania 009) for each region; none when the offer serves
  anywhere. The offer does not say how it divides itself: equal shares.
- ``sector``: vocabulary 1 (OECD DAC 5-digit), mapped from the themes by
  :data:`THEME_SECTORS`, in equal shares; 15210 when no theme is given.
- ``default-aid-type`` D02 (other technical assistance).
- ``budget`` (type 1 original, status 1 indicative) with the offer's
  ``budget_usd`` in USD over its window (one year from its start, or from
  the day it was posted, when it gives none).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

import pycountry

from portal.auth.models import Organisation, OrganisationKind
from portal.database import utcnow
from portal.offers.models import Offer
from portal.records import Status

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Stand-in organisation identifier prefix for organisations that gave none.
PLACEHOLDER_PREFIX = "XI-CAPMATCH"

#: OrganisationType codelist.
ORGANISATION_TYPES = {
    OrganisationKind.DONOR_STATE: "10",
    OrganisationKind.INTERNATIONAL_ORGANISATION: "40",
    OrganisationKind.COMPANY: "70",
    OrganisationKind.NGO: "21",
    OrganisationKind.ACADEMIA: "80",
    OrganisationKind.SECRETARIAT: "40",
    OrganisationKind.REQUESTING_STATE: "10",
}

#: ActivityStatus codelist.
ACTIVITY_STATUS = {
    Status.SUBMITTED: "1", Status.UNDER_REVIEW: "1", Status.MATCHED: "2",
    Status.IN_DELIVERY: "2", Status.COMPLETED: "3", Status.WITHDRAWN: "5",
}

#: UN M49 codes of the platform's regions (RegionVocabulary 2).
M49_REGIONS = {"africa": "002", "americas": "019", "asia": "142", "europe": "150", "oceania": "009"}

#: Themes -> OECD DAC 5-digit purpose codes (Sector vocabulary 1).
THEME_SECTORS = {
    "legislation": "15130",                  # Legal and judicial development
    "cyber_dependent_crime": "15210",        # Security system management and reform
    "online_fraud": "15210",
    "child_protection": "15160",             # Human rights
    "intimate_images": "15180",              # Ending violence against women and girls
    "proceeds_of_crime": "15113",            # Anti-corruption organisations and institutions
    "electronic_evidence": "15130",
    "digital_forensics": "15210",
    "safeguards": "15160",
    "international_cooperation": "15130",
    "network_24_7": "15210",
    "law_enforcement_cooperation": "15210",
    "victims": "15160",
    "prevention": "15210",
    "institutional_capacity": "15110",       # Public sector policy and administrative management
}
DEFAULT_SECTOR = "15210"
#: Aid type "other technical assistance" (AidType codelist, vocabulary 1).
AID_TYPE = "D02"


def placeholder_ref(organisation: Organisation) -> str:
    return f"{PLACEHOLDER_PREFIX}-{organisation.id}"


def _iso_date(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _month_start(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def _month_end(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def _shares(count: int) -> list[str]:
    """``count`` equal percentages that add up to exactly 100."""
    if count <= 0:
        return []
    base = round(100 / count, 2)
    shares = [base] * (count - 1) + [round(100 - base * (count - 1), 2)]
    return [f"{share:g}" for share in shares]


def _alpha2(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country else None


def _narrative(parent: ET.Element, tag: str, text: str, language: str | None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items()})
    narrative = ET.SubElement(element, "narrative")
    if language:
        narrative.set(XML_LANG, language)
    narrative.text = text
    return element


def _org(parent: ET.Element, tag: str, organisation: Organisation, ref: str, name: str, **attributes) -> None:
    element = ET.SubElement(parent, tag, {"ref": ref, "type": ORGANISATION_TYPES[organisation.kind],
                                          **attributes})
    ET.SubElement(element, "narrative").text = name


def _window(offer: Offer) -> tuple[date, date]:
    posted = (offer.created_at or utcnow()).date()
    start = _month_start(offer.start) if offer.start else posted
    end = _month_end(offer.end) if offer.end else start + timedelta(days=364)
    return start, max(end, start)


def activity(offer: Offer, org_ref: str) -> ET.Element:
    """The ``iati-activity`` element of one offer."""
    organisation = offer.organisation
    element = ET.Element("iati-activity", {
        "last-updated-datetime": (offer.updated_at or utcnow()).replace(microsecond=0).isoformat() + "Z",
        XML_LANG: offer.language, "default-currency": "USD", "hierarchy": "1",
    })
    ET.SubElement(element, "iati-identifier").text = f"{org_ref}-{offer.ref}"
    _org(element, "reporting-org", organisation, org_ref, organisation.name)
    _narrative(element, "title", offer.title, offer.language)
    _narrative(element, "description", offer.description, offer.language, type="1")
    _org(element, "participating-org", organisation, org_ref, offer.provider or organisation.name, role="1")
    _org(element, "participating-org", organisation, org_ref, offer.provider or organisation.name, role="4")
    ET.SubElement(element, "activity-status", {"code": ACTIVITY_STATUS.get(offer.status, "1")})
    start, end = _window(offer)
    ET.SubElement(element, "activity-date", {"type": "1", "iso-date": _iso_date(start)})
    if offer.end:
        ET.SubElement(element, "activity-date", {"type": "3", "iso-date": _iso_date(end)})
    countries = [code for code in (_alpha2(c) for c in offer.eligible_countries) if code]
    if countries:
        for code, share in zip(countries, _shares(len(countries)), strict=True):
            ET.SubElement(element, "recipient-country", {"code": code, "percentage": share})
    else:
        regions = [M49_REGIONS[r] for r in offer.regions if r in M49_REGIONS]
        for code, share in zip(regions, _shares(len(regions)), strict=True):
            ET.SubElement(element, "recipient-region", {"code": code, "vocabulary": "2", "percentage": share})
    sectors = list(dict.fromkeys(THEME_SECTORS[t] for t in offer.themes if t in THEME_SECTORS)) or [DEFAULT_SECTOR]
    for code, share in zip(sectors, _shares(len(sectors)), strict=True):
        ET.SubElement(element, "sector", {"code": code, "vocabulary": "1", "percentage": share})
    ET.SubElement(element, "default-aid-type", {"code": AID_TYPE, "vocabulary": "1"})
    if offer.budget_usd is not None:
        budget = ET.SubElement(element, "budget", {"type": "1", "status": "1"})
        ET.SubElement(budget, "period-start", {"iso-date": _iso_date(start)})
        ET.SubElement(budget, "period-end", {"iso-date": _iso_date(end)})
        amount = offer.budget_usd
        value = ET.SubElement(budget, "value", {"currency": "USD", "value-date": _iso_date(start)})
        value.text = f"{amount:.2f}"
    return element


def activities_xml(offers: Iterable[Offer], org_refs: dict[int, str]) -> bytes:
    """An ``iati-activities`` document; ``org_refs`` maps organisation ids to IATI identifiers."""
    root = ET.Element("iati-activities", {
        "version": IATI_VERSION,
        "generated-datetime": utcnow().replace(microsecond=0).isoformat() + "Z",
    })
    for offer in offers:
        if offer.status == Status.DRAFT:
            continue
        ref = org_refs.get(offer.organisation_id) or placeholder_ref(offer.organisation)
        root.append(activity(offer, ref))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
