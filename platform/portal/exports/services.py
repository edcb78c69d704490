"""What each user may export, in which shape.

One set of rules for the export files and the JSON API: the needs a user may
read (``visibility.readable_by``, the query form of ``can_read``), the offers
the offers pages show them (``lifecycle.visible_records``) and the matches the
matches pages show them (``matches.services.visible_matches``). A need whose
State is withheld from the user is written with ``country`` null (empty in
CSV): the State's name, code or organisation never leaves in a file.

CSV files have one row per record; code lists are joined with ``;`` (for
example ``training;mentoring``), empty cells stand for absent values, and a
cell that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import lifecycle
from portal.auth.access import owns
from portal.auth.models import User
from portal.extensions import db
from portal.interchange.mapping import need_to_record, offer_to_record
from portal.matches import services as matches
from portal.matches.models import Match
from portal.needs import visibility
from portal.needs.models import Need
from portal.offers.models import Offer

#: Cells starting with one of these are formulas to a spreadsheet (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: How code lists are joined in a CSV cell.
LIST_SEPARATOR = ";"

NEED_COLUMNS = [
    "id", "country", "title", "description", "language", "working_languages", "themes",
    "modalities", "beneficiaries", "budget_usd", "start", "end", "delivery", "status",
    "confidentiality", "created_at", "updated_at",
]
OFFER_COLUMNS = [
    "id", "provider", "title", "description", "language", "working_languages", "themes",
    "modalities", "beneficiaries", "regions", "eligible_countries", "excluded_countries",
    "budget_usd", "capacity", "remaining_capacity", "start", "end", "delivery", "status",
    "created_at", "updated_at",
]
MATCH_COLUMNS = [
    "id", "status", "need", "need_title", "need_country", "offer", "offer_title", "provider",
    "proposed_at", "donor_decision", "donor_reason", "state_decision", "state_reason",
    "agreed_at", "closed_at", "closed_reason",
]


# --- Which records --------------------------------------------------------------------


def needs_for(user: User) -> sa.Select:
    return visibility.readable_by(user).options(selectinload(Need.organisation))


def offers_for(user: User) -> sa.Select:
    return lifecycle.visible_records(Offer, user, lifecycle.ListFilters())


def matches_for(user: User) -> sa.Select:
    return matches.visible_matches(user)


# --- Shapes ------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def need_record(need: Need, user: User) -> dict[str, Any]:
    """The interchange record of a need, its State withheld when the user may not know it."""
    record = need_to_record(need)
    if not visibility.shows_state(user, need):
        record["country"] = None
    return record


def need_data(need: Need, user: User) -> dict[str, Any]:
    """A need with its place on the platform (API and CSV)."""
    insider = owns(user, need) or user.is_coordinator
    return {
        **need_record(need, user), "id": need.id, "ref": need.ref,
        "status": need.status.value,
        # Who may read it is the State's and the secretariat's business.
        "confidentiality": need.confidentiality.value if insider else None,
        "created_at": _iso(need.created_at), "updated_at": _iso(need.updated_at),
    }


def offer_data(offer: Offer) -> dict[str, Any]:
    return {
        **offer_to_record(offer), "id": offer.id, "ref": offer.ref,
        "remaining_capacity": offer.remaining_capacity, "status": offer.status.value,
        "created_at": _iso(offer.created_at), "updated_at": _iso(offer.updated_at),
    }


def match_data(match: Match, user: User) -> dict[str, Any]:
    need, offer = match.need, match.offer
    return {
        "id": match.id, "status": match.status.value,
        "need": {"id": need.id, "ref": need.ref, "title": need.title,
                 "country": need.country if visibility.shows_state(user, need) else None},
        "offer": {"id": offer.id, "ref": offer.ref, "title": offer.title, "provider": offer.provider},
        "note": match.note,
        "proposed_at": _iso(match.proposed_at),
        "donor_decision": match.donor_decision.value if match.donor_decision else None,
        "donor_reason": match.donor_reason,
        "state_decision": match.state_decision.value if match.state_decision else None,
        "state_reason": match.state_reason,
        "agreed_at": _iso(match.agreed_at), "closed_at": _iso(match.closed_at),
        "closed_reason": match.closed_reason,
    }


def _match_row(match: Match, user: User) -> dict[str, Any]:
    data = match_data(match, user)
    need, offer = data.pop("need"), data.pop("offer")
    data.pop("note")
    return {**data, "need": need["ref"], "need_title": need["title"], "need_country": need["country"],
            "offer": offer["ref"], "offer_title": offer["title"], "provider": offer["provider"]}


# --- Files ---------------------------------------------------------------------------------


def needs_json(user: User) -> list[dict[str, Any]]:
    """The interchange format's requests.json, as this user may see it."""
    return [need_record(need, user) for need in db.session.scalars(needs_for(user))]


def offers_json(user: User) -> list[dict[str, Any]]:
    """The interchange format's offers.json, as this user may see it."""
    return [offer_to_record(offer) for offer in db.session.scalars(offers_for(user))]


def matches_json(user: User) -> list[dict[str, Any]]:
    return [match_data(match, user) for match in db.session.scalars(matches_for(user))]


def safe_cell(value: Any) -> str:
    """A CSV cell: lists joined, None empty, would-be formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_csv(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _needs_rows(user: User) -> Iterator[dict[str, Any]]:
    for need in db.session.scalars(needs_for(user)):
        yield {**need_data(need, user), "id": need.ref}


def _offers_rows(user: User) -> Iterator[dict[str, Any]]:
    for offer in db.session.scalars(offers_for(user)):
        yield {**offer_data(offer), "id": offer.ref}


def needs_csv(user: User) -> str:
    return write_csv(NEED_COLUMNS, _needs_rows(user))


def offers_csv(user: User) -> str:
    return write_csv(OFFER_COLUMNS, _offers_rows(user))


def matches_csv(user: User) -> str:
    return write_csv(MATCH_COLUMNS, (_match_row(m, user) for m in db.session.scalars(matches_for(user))))
