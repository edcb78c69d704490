"""Audit events as people read them: labelled actions, readable values."""

from __future__ import annotations

from typing import Any

from portal.audit.models import AuditEvent

ACTION_LABELS = {
    "need.created": "Need created",
    "need.edited": "Need edited",
    "need.imported": "Need imported",
    "need.reimported": "Need updated by import",
    "need.status_changed": "Need status changed",
    "offer.created": "Offer created",
    "offer.edited": "Offer edited",
    "offer.imported": "Offer imported",
    "offer.reimported": "Offer updated by import",
    "offer.status_changed": "Offer status changed",
    "offer.engagement_taken": "An engagement of the offer was taken",
    "offer.engagement_returned": "An engagement of the offer was given back",
    "candidate.rejected": "Candidate rejected",
    "match.proposed": "Match proposed",
    "match.donor_accepted": "Donor accepted",
    "match.donor_declined": "Donor declined",
    "match.state_accepted": "Requesting State confirmed",
    "match.state_declined": "Requesting State declined",
    "match.delivery_started": "Delivery started",
    "match.completed": "Delivery confirmed",
    "match.cancelled": "Match cancelled",
    "auth.login_succeeded": "Logged in",
    "auth.login_failed": "Failed login",
    "auth.locked": "Account locked after failed logins",
    "auth.unlocked": "Account unlocked",
    "auth.logout": "Logged out",
    "auth.totp_enabled": "Second factor set up",
    "auth.totp_disabled": "Second factor removed",
    "auth.password_changed": "Password changed",
}

# Machinery rather than content: not worth a reader's attention.
_HIDDEN_FIELDS = {"id", "version", "features", "score", "need_id", "proposed_by_id",
                  "donor_decided_by_id", "state_decided_by_id", "organisation_id"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace(".", ": ").replace("_", " "))


def readable(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        return value[:16].replace("T", " ")  # an ISO timestamp
    return str(value).replace("_", " ") if isinstance(value, str) and value.islower() else str(value)


def changes(event: AuditEvent) -> list[tuple[str, str | None, str]]:
    """(field, before or None, after) for each field the event records."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for field in after:
        if field in _HIDDEN_FIELDS:
            continue
        label = field.replace("_usd", "").replace("_", " ")
        rows.append((label, readable(before[field]) if field in before else None, readable(after[field])))
    return rows
