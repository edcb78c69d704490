"""Code lists and record validation for the interchange format.

The interchange format (needs, offers and judged matches) is described in the
project README; its codes are grounded in the UN Convention against
Cybercrime (General Assembly resolution 79/243).  Everything that checks a
record lives here so that the engine's command line, the platform's import
and the platform's forms agree on what a valid record is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Code:
    """One entry of a code list: the stable code and its English wording."""

    code: str
    label: str
    explanation: str = ""
    articles: str = ""


THEMES: dict[str, Code] = {
    c.code: c
    for c in [
        Code("legislation", "Legislation",
             "Drafting or reforming criminal law, procedure and jurisdiction "
             "to align with the Convention", "Chapters II-IV; Art. 54(3)(b)"),
        Code("cyber_dependent_crime", "Cyber-dependent crime",
             "Illegal access, interception, interference with data or systems, "
             "misuse of devices", "Arts. 7-11"),
        Code("online_fraud", "Online fraud",
             "ICT-related forgery, theft and fraud, including scams and "
             "business e-mail compromise", "Arts. 12-13"),
        Code("child_protection", "Child protection online",
             "Online child sexual abuse or exploitation material, grooming",
             "Arts. 14-15"),
        Code("intimate_images", "Intimate images",
             "Non-consensual dissemination of intimate images", "Art. 16"),
        Code("proceeds_of_crime", "Proceeds of crime",
             "Laundering, tracing, freezing, seizure, confiscation and return "
             "of proceeds, crypto-assets",
             "Arts. 17, 31, 49-52; Art. 54(3)(f)-(g)"),
        Code("electronic_evidence", "Electronic evidence",
             "Preservation, production orders, search and seizure, traffic "
             "and content data", "Arts. 23-30"),
        Code("digital_forensics", "Digital forensics",
             "Forensic laboratories, tools, acquisition and analysis, chain of "
             "custody, law-enforcement equipment", "Art. 54(3)(c)-(d)"),
        Code("safeguards", "Safeguards and human rights",
             "Human rights, conditions and safeguards, protection of personal "
             "data", "Arts. 6, 24, 36"),
        Code("international_cooperation", "International cooperation",
             "Mutual legal assistance, extradition, central authorities, "
             "cross-border access to electronic evidence, drafting requests",
             "Arts. 35-46; Art. 54(3)(e)"),
        Code("network_24_7", "24/7 network",
             "The 24/7 network point of contact", "Art. 41"),
        Code("law_enforcement_cooperation", "Law-enforcement cooperation",
             "Police-to-police cooperation, joint investigations",
             "Arts. 47-48"),
        Code("victims", "Victims and witnesses",
             "Assistance to and protection of victims and witnesses",
             "Arts. 33-34; Art. 54(3)(h)"),
        Code("prevention", "Prevention",
             "Awareness, education, public-private partnership, prevention "
             "strategies", "Art. 53; Art. 54(3)(a)"),
        Code("institutional_capacity", "Institutional capacity",
             "National strategies and policies, specialised units, statistics "
             "and information exchange", "Arts. 54(3)(b), 55"),
    ]
}

MODALITIES: dict[str, Code] = {
    c.code: c
    for c in [
        Code("training", "Training"),
        Code("legislative_advice", "Legislative advice"),
        Code("policy_advice", "Policy advice"),
        Code("equipment", "Equipment"),
        Code("software", "Software"),
        Code("mentoring", "Mentoring"),
        Code("study_visit", "Study visit"),
        Code("assessment", "Assessment"),
        Code("infrastructure", "Infrastructure"),
        Code("funding", "Funding"),
        Code("secondment", "Secondment"),
        Code("language_training", "Language training"),
        Code("research", "Research"),
        Code("technology_transfer", "Technology transfer"),
    ]
}

BENEFICIARIES: dict[str, Code] = {
    c.code: c
    for c in [
        Code("law_enforcement", "Law enforcement"),
        Code("prosecution", "Prosecution"),
        Code("judiciary", "Judiciary"),
        Code("central_authority", "Central authority"),
        Code("ministry", "Ministry"),
        Code("legislature", "Legislature"),
        Code("csirt", "CSIRT / CERT"),
        Code("private_sector", "Private sector"),
        Code("civil_society", "Civil society"),
        Code("victim_services", "Victim services"),
        Code("academia", "Academia"),
        Code("service_providers", "Service providers"),
    ]
}

REGIONS: dict[str, Code] = {
    c.code: c
    for c in [
        Code("africa", "Africa"),
        Code("americas", "Americas"),
        Code("asia", "Asia"),
        Code("europe", "Europe"),
        Code("oceania", "Oceania"),
    ]
}

DELIVERY_MODES: dict[str, Code] = {
    c.code: c
    for c in [Code("in_person", "In person"), Code("remote", "Remote")]
}

# Languages a title and description may be written in: the six official
# languages of the United Nations, and Portuguese.
TEXT_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh", "pt")


def _load_country_regions() -> dict[str, str | None]:
    raw = json.loads(
        resources.files("matching").joinpath("data/m49_regions.json").read_text("utf-8")
    )
    table: dict[str, str | None] = {
        country: region
        for region, countries in raw["regions"].items()
        for country in countries
    }
    table["ATA"] = None  # Antarctica lies in none of the five continental regions
    return table


#: ISO 3166-1 alpha-3 code -> UN M49 continental region (None for Antarctica).
COUNTRY_REGION: dict[str, str | None] = _load_country_regions()

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2}$")

# Limits that keep a record sane; the forms use the same ones.
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_BUDGET_USD = 100_000_000
MAX_CAPACITY = 1000


class RecordError(ValueError):
    """A record breaks the interchange format.

    ``problems`` is a list of ``(record_id, field, message)`` triples, so a
    caller can name every bad record and field at once.
    """

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        lines = [f"record {rid!r}, field {field!r}: {msg}" for rid, field, msg in problems]
        super().__init__("; ".join(lines) if lines else "invalid records")


def _check_code_list(value: Any, allowed: Iterable[str], what: str) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of strings"
    allowed = set(allowed)
    unknown = [v for v in value if v not in allowed]
    if unknown:
        return f"unknown {what} code(s): {', '.join(sorted(set(unknown)))}"
    return None


def _field_problems(record: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    """Return ``(field, message)`` for every problem of one record."""
    problems: list[tuple[str, str]] = []
    required = ["id", "title", "description", "language", "working_languages"]
    required.append("country" if kind == "need" else "provider")
    for name in required:
        value = record.get(name)
        if value is None or (isinstance(value, (str, list)) and len(value) == 0):
            problems.append((name, "is required"))
    for name in ("id", "title", "description", "provider", "country", "language"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            problems.append((name, "must be a string"))
    title, description = record.get("title"), record.get("description")
    if isinstance(title, str) and len(title) > MAX_TITLE_LENGTH:
        problems.append(("title", f"is longer than {MAX_TITLE_LENGTH} characters"))
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION_LENGTH:
        problems.append(("description", f"is longer than {MAX_DESCRIPTION_LENGTH} characters"))
    language = record.get("language")
    if isinstance(language, str) and language and language not in TEXT_LANGUAGES:
        problems.append(("language", f"must be one of {', '.join(TEXT_LANGUAGES)}"))
    working = record.get("working_languages")
    if working is not None:
        if not isinstance(working, list) or not all(
            isinstance(v, str) and LANGUAGE_CODE_RE.match(v) for v in working
        ):
            problems.append(("working_languages", "must be a list of ISO 639-1 codes"))
    country = record.get("country")
    if kind == "need" and isinstance(country, str) and country and country not in COUNTRY_REGION:
        problems.append(("country", f"unknown ISO 3166-1 alpha-3 code {country!r}"))
    lists = {
        "themes": (THEMES, "theme"),
        "modalities": (MODALITIES, "modality"),
        "beneficiaries": (BENEFICIARIES, "beneficiary"),
        "delivery": (DELIVERY_MODES, "delivery"),
    }
    if kind == "offer":
        lists.update({
            "regions": (REGIONS, "region"),
            "eligible_countries": (COUNTRY_REGION, "country"),
            "excluded_countries": (COUNTRY_REGION, "country"),
        })
    for name, (allowed, what) in lists.items():
        if record.get(name) is not None:
            message = _check_code_list(record[name], allowed, what)
            if message:
                problems.append((name, message))
    budget = record.get("budget_usd")
    if budget is not None:
        if isinstance(budget, bool) or not isinstance(budget, (int, float)):
            problems.append(("budget_usd", "must be a number"))
        elif budget < 0:
            problems.append(("budget_usd", "must not be negative"))
        elif budget > MAX_BUDGET_USD:
            problems.append(("budget_usd", f"must not exceed {MAX_BUDGET_USD:,} USD"))
    if kind == "offer" and record.get("capacity") is not None:
        capacity = record["capacity"]
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            problems.append(("capacity", "must be a whole number"))
        elif not 1 <= capacity <= MAX_CAPACITY:
            problems.append(("capacity", f"must be between 1 and {MAX_CAPACITY}"))
    for name in ("start", "end"):
        value = record.get(name)
        if value is not None and (not isinstance(value, str) or not MONTH_RE.match(value)):
            problems.append((name, "must be a month written YYYY-MM"))
    start, end = record.get("start"), record.get("end")
    if (
        isinstance(start, str) and isinstance(end, str)
        and MONTH_RE.match(start) and MONTH_RE.match(end) and end < start
    ):
        problems.append(("end", "must not be before start"))
    if kind == "offer":
        problems.extend(_offer_consistency(record))
    return problems


def _offer_consistency(offer: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Offer fields that contradict each other."""
    problems: list[tuple[str, str]] = []
    eligible = offer.get("eligible_countries") or []
    excluded = offer.get("excluded_countries") or []
    regions = offer.get("regions") or []
    if not (isinstance(eligible, list) and isinstance(excluded, list) and isinstance(regions, list)):
        return problems
    # Items that are not codes are reported by the field checks; compare only the codes.
    eligible, excluded, regions = ([c for c in codes if isinstance(c, str)]
                                   for codes in (eligible, excluded, regions))
    both = sorted(set(eligible) & set(excluded))
    if both:
        problems.append(("excluded_countries",
                         f"lists countries that are also eligible: {', '.join(both)}"))
    if regions:
        outside = sorted(
            c for c in eligible
            if c in COUNTRY_REGION and COUNTRY_REGION[c] not in regions
        )
        if outside:
            problems.append(("regions",
                             "exclude eligible countries "
                             f"{', '.join(outside)}; add their regions or remove them"))
    return problems


def validate_need(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Check one need (request) record; return ``(field, message)`` problems."""
    if not isinstance(record, Mapping):
        return [("record", "must be a JSON object")]
    return _field_problems(record, "need")


def validate_offer(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Check one offer record; return ``(field, message)`` problems."""
    if not isinstance(record, Mapping):
        return [("record", "must be a JSON object")]
    return _field_problems(record, "offer")


def validate_records(records: Any, kind: str) -> None:
    """Check a whole file's worth of records; raise :class:`RecordError` on any problem.

    Every record is checked before anything is reported, so the error names
    each bad record and field at once; duplicate ids are reported too.
    """
    if kind not in ("need", "offer"):
        raise ValueError(f"kind must be 'need' or 'offer', not {kind!r}")
    if not isinstance(records, list):
        raise RecordError([("(file)", "(top level)", "must be a JSON array of objects")])
    check = validate_need if kind == "need" else validate_offer
    problems: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for position, record in enumerate(records, start=1):
        rid = record.get("id") if isinstance(record, Mapping) else None
        label = rid if isinstance(rid, str) and rid else f"#{position}"
        for field, message in check(record):
            problems.append((label, field, message))
        if isinstance(rid, str) and rid:
            if rid in seen:
                problems.append((label, "id", "is used by another record in the same file"))
            seen.add(rid)
    if problems:
        raise RecordError(problems)
