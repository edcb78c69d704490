"""Models <-> interchange records (DATA_FORMAT.md), without importing the models.

Kept apart from ``services`` so that modules the models' packages import
(the matching integration feeds the engine with ``need_to_record``) can use
these functions without an import cycle. ``portal.interchange.services``
re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.needs.models import Need
    from portal.offers.models import Offer
    from portal.records import AssistanceRecord

LIST_FIELDS = ("working_languages", "themes", "modalities", "beneficiaries", "delivery")
OFFER_LIST_FIELDS = ("regions", "eligible_countries", "excluded_countries")


def _budget_out(value: float | None) -> int | float:
    return int(value) if float(value).is_integer() else value


def _common_to_record(record: AssistanceRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "description": record.description,
        "language": record.language,
        "working_languages": list(record.working_languages),
        "themes": list(record.themes),
        "modalities": list(record.modalities),
        "beneficiaries": list(record.beneficiaries),
    }


def _tail_to_record(record: AssistanceRecord, result: dict[str, Any]) -> dict[str, Any]:
    """Optional scalars are left out when absent; lists are always written."""
    if record.budget_usd is not None:
        result["budget_usd"] = _budget_out(record.budget_usd)
    return result


def need_to_record(need: Need) -> dict[str, Any]:
    """A need as an interchange request record (field order as in DATA_FORMAT.md)."""
    result = {"id": need.ref, "country": need.country, **_common_to_record(need)}
    _tail_to_record(need, result)
    for name in ("start", "end"):
        if getattr(need, name):
            result[name] = getattr(need, name)
    result["delivery"] = list(need.delivery)
    return result


def offer_to_record(offer: Offer) -> dict[str, Any]:
    """An offer as an interchange offer record (field order as in DATA_FORMAT.md)."""
    result = {"id": offer.ref, "provider": offer.provider, **_common_to_record(offer)}
    for name in OFFER_LIST_FIELDS:
        result[name] = list(getattr(offer, name))
    _tail_to_record(offer, result)
    result["capacity"] = offer.capacity
    for name in ("start", "end"):
        if getattr(offer, name):
            result[name] = getattr(offer, name)
    result["delivery"] = list(offer.delivery)
    return result


def _common_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    budget = record.get("budget_usd")
    fields = {
        "ref": record["id"],
        "title": record["title"],
        "description": record["description"],
        "language": record["language"],
        # The column keeps cents: round here so a re-import compares equal.
        "budget_usd": round(float(budget), 2) if budget is not None else None,
        "start": record.get("start"),
        "end": record.get("end"),
    }
    for name in LIST_FIELDS:
        fields[name] = list(record.get(name) or [])
    return fields


def record_to_need_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Model attributes of a valid request record (absent optional fields -> empty/None)."""
    return {**_common_fields(record), "country": record["country"]}


def record_to_offer_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Model attributes of a valid offer record (absent optional fields -> empty/None)."""
    fields = {**_common_fields(record), "provider": record["provider"].strip()}
    for name in OFFER_LIST_FIELDS:
        fields[name] = list(record.get(name) or [])
    capacity = record.get("capacity")
    fields["capacity"] = 1 if capacity is None else capacity
    return fields
