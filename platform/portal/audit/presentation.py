"""Audit events as people read them: labelled actions, readable values."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from portal import choices, presentation
from portal.audit.models import AuditEvent
from portal.matches.models import MATCH_STATUS_LABELS, MatchStatus
from portal.needs.models import CONFIDENTIALITY_LABELS, Confidentiality
from portal.records import STATUS_LABELS, Status

# Translators: entries of the audit trail, what happened to a record.
ACTION_LABELS = {
    "need.created": _l("Need created"),
    "need.edited": _l("Need edited"),
    "need.imported": _l("Need imported"),
    "need.reimported": _l("Need updated by import"),
    "need.status_changed": _l("Need status changed"),
    "offer.created": _l("Offer created"),
    "offer.edited": _l("Offer edited"),
    "offer.imported": _l("Offer imported"),
    "offer.reimported": _l("Offer updated by import"),
    "offer.status_changed": _l("Offer status changed"),
    "offer.engagement_taken": _l("An engagement of the offer was taken"),
    "offer.engagement_returned": _l("An engagement of the offer was given back"),
    "candidate.rejected": _l("Candidate rejected"),
    "match.proposed": _l("Match proposed"),
    "match.donor_accepted": _l("Donor accepted"),
    "match.donor_declined": _l("Donor declined"),
    "match.state_accepted": _l("Requesting State confirmed"),
    "match.state_declined": _l("Requesting State declined"),
    "match.delivery_started": _l("Delivery started"),
    "match.completed": _l("Delivery confirmed"),
    "match.cancelled": _l("Match cancelled"),
    "auth.login_succeeded": _l("Logged in"),
    "auth.login_failed": _l("Failed login"),
    "auth.locked": _l("Account locked after failed logins"),
    "auth.unlocked": _l("Account unlocked"),
    "auth.logout": _l("Logged out"),
    "auth.totp_enabled": _l("Second factor set up"),
    "auth.totp_disabled": _l("Second factor removed"),
    "auth.password_changed": _l("Password changed"),
}

# Machinery rather than content: not worth a reader's attention.
_HIDDEN_FIELDS = {"id", "version", "features", "score", "need_id", "proposed_by_id",
                  "donor_decided_by_id", "state_decided_by_id", "organisation_id"}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace(".", ": ").replace("_", " ")


def readable(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return presentation.list_join(value)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0" if value.is_integer() else "#,##0.00")
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        return value[:16].replace("T", " ")  # an ISO timestamp
    return str(value).replace("_", " ") if isinstance(value, str) and value.islower() else str(value)


def _code_list(kind: str):
    return lambda values: [choices.code_label(kind, v) for v in values]


# How the coded values of each field read in the page's language. Statuses of
# needs and offers and of matches share the name "status": try both tables.
_VALUE_LABELS = {
    "themes": _code_list("theme"), "modalities": _code_list("modality"),
    "beneficiaries": _code_list("beneficiary"), "regions": _code_list("region"),
    "delivery": _code_list("delivery"),
    "working_languages": lambda values: [choices.language_name(v) for v in values],
    "language": choices.language_name,
    "country": choices.country_name,
    "eligible_countries": lambda values: [choices.country_name(v) for v in values],
    "excluded_countries": lambda values: [choices.country_name(v) for v in values],
    "confidentiality": lambda v: str(CONFIDENTIALITY_LABELS.get(Confidentiality(v), v)),
    "status": lambda v: str(STATUS_LABELS.get(Status(v)) if v in Status._value2member_map_
                            else MATCH_STATUS_LABELS.get(MatchStatus(v), v)),
}


def readable_value(field: str, value: Any) -> str:
    """A recorded value in the reader's language; free text and unknown codes as recorded."""
    translate = _VALUE_LABELS.get(field)
    if translate is not None and value not in (None, "", []):
        try:
            translated = translate(value)
        except (ValueError, KeyError, TypeError):  # a code from an older code list
            translated = value
        if isinstance(translated, list):
            return presentation.list_join(translated)
        return str(translated)
    return readable(value)


def _field_label(field: str) -> str:
    from portal.lifecycle import FIELD_LABELS

    extra = {"status": _l("Status"), "confidentiality": _l("Who may read it"),
             "remaining_capacity": _l("Engagements left"), "note": _l("Note"),
             "reason": _l("Reason"), "offer_id": _l("Offer")}
    label = FIELD_LABELS.get(field) or extra.get(field)
    return str(label) if label is not None else field.replace("_usd", "").replace("_", " ")


def changes(event: AuditEvent) -> list[tuple[str, str | None, str]]:
    """(field, before or None, after) for each field the event records."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for field in after:
        if field in _HIDDEN_FIELDS:
            continue
        label = _field_label(field)
        rows.append((label, readable_value(field, before[field]) if field in before else None,
                     readable_value(field, after[field])))
    return rows
