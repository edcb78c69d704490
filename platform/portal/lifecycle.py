"""Rules shared by needs and offers: checking, editing, submitting, withdrawing, listing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit
from portal.auth.access import owns
from portal.auth.models import User
from portal.errors import ValidationError
from portal.records import EDITABLE_STATUSES, STATUS_LABELS, Status


def new_ref(prefix: str) -> str:
    """A short, unguessable reference for a record created on the platform."""
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def check_fields(
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]], record: Mapping[str, Any],
    *, draft: bool = False,
) -> None:
    """Run the interchange format's checks; the first problem becomes a ValidationError.

    A draft may leave required fields empty (all but its title): it is
    checked in full when it is submitted.
    """
    problems = validate(record)
    if draft:
        problems = [(field, message) for field, message in problems
                    if message != "is required" or field == "title"]
    if problems:
        field, message = problems[0]
        # The message may be read away from its field (after "Submit"), so name it.
        raise ValidationError(field, interchange_problem(field, message))


# The interchange format's field names and its most frequent problems, as
# people read them; a rarer problem keeps the engine's English wording.
FIELD_LABELS = {
    "title": _l("Title"), "description": _l("Description"), "language": _l("Language"),
    "working_languages": _l("Working languages"), "themes": _l("Themes"),
    "modalities": _l("Kinds of assistance"), "beneficiaries": _l("Beneficiary institutions"),
    "delivery": _l("Delivery"), "budget_usd": _l("Budget"), "start": _l("From"), "end": _l("Until"),
    "country": _l("Country"), "provider": _l("Provider"), "capacity": _l("Number of engagements"),
    "regions": _l("Regions"), "eligible_countries": _l("Only these States may receive it"),
    "excluded_countries": _l("States it cannot serve"),
}
PROBLEMS = {
    "is required": _l("%(field)s is required"),
    "must not be before start": _l("%(field)s must not be before the start"),
    "must be a number": _l("%(field)s must be a number"),
    "must not be negative": _l("%(field)s must not be negative"),
    "must be a month written YYYY-MM": _l("%(field)s must be a month written YYYY-MM"),
}


def interchange_problem(field: str, message: str) -> str:
    """A problem found by the interchange checks, naming its field (it may be read
    away from the field, after "Submit")."""
    label = str(FIELD_LABELS.get(field, field.removesuffix("_usd").replace("_", " ")))
    known = PROBLEMS.get(message)
    if known is not None:
        return str(known) % {"field": label}
    return f"{label} {message}"


def apply_fields(record, fields: Mapping[str, Any], user: User) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    record.updated_by_id = user.id


def require_owner(record, user: User) -> None:
    if not owns(user, record):
        raise ValidationError("organisation", _("only the organisation that owns it may change it"))


def require_editable(record) -> None:
    if record.status not in EDITABLE_STATUSES:
        raise ValidationError("status", _("a record that is %(status)s can no longer be changed", status=str(STATUS_LABELS.get(record.status, record.status)).lower()))


def record_created(record, user: User) -> None:
    """Audit a new record (after its flush, so it has an id)."""
    audit.record(f"{record.__tablename__}.created", record, actor=user, after=audit.snapshot(record))


def update(record, fields: Mapping[str, Any], user: User, *, check: Callable, submit: bool) -> None:
    """Edit a record its owner may still change; submit it too if asked.

    ``check(fields, draft)`` validates the fields, in full unless the record
    stays a draft.
    """
    require_owner(record, user)
    require_editable(record)
    check(fields, record.status == Status.DRAFT and not submit)
    before = audit.snapshot(record)
    apply_fields(record, fields, user)
    changed_before, changed_after = audit.changed_only(before, audit.snapshot(record))
    if changed_after:
        audit.record(f"{record.__tablename__}.edited", record, actor=user,
                     before=changed_before, after=changed_after)
    if submit and record.status == Status.DRAFT:
        submit_record(record, user)


def submit_record(record, user: User) -> None:
    """Send a draft to the secretariat."""
    require_owner(record, user)
    if record.status != Status.DRAFT:
        raise ValidationError("status", _("only a draft can be submitted"))
    set_status(record, Status.SUBMITTED, user)


def withdraw_record(record, user: User, reason: str | None = None) -> None:
    require_owner(record, user)
    require_editable(record)
    set_status(record, Status.WITHDRAWN, user, note=reason)


def set_status(record, status: Status, user: User, note: str | None = None) -> None:
    """Move a record to another status, with its audit event."""
    if record.status == status:
        return
    audit.record(f"{record.__tablename__}.status_changed", record, actor=user,
                 before={"status": record.status.value}, after={"status": status.value}, note=note)
    record.status = status
    record.updated_by_id = user.id


@dataclass(frozen=True)
class ListFilters:
    """What a user can narrow a list of needs or offers by."""

    status: str | None = None
    theme: str | None = None
    language: str | None = None
    query: str | None = None
    country: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListFilters:
        def clean(name: str) -> str | None:
            value = (args.get(name) or "").strip()
            return value[:200] or None

        return cls(status=clean("status"), theme=clean("theme"), language=clean("language"),
                   query=clean("q"), country=clean("country"))

    def as_args(self) -> dict[str, str]:
        pairs = {"status": self.status, "theme": self.theme, "language": self.language,
                 "q": self.query, "country": self.country}
        return {name: value for name, value in pairs.items() if value}


def visible_records(model, user: User, filters: ListFilters) -> sa.Select:
    """Newest first: a focal point sees their organisation's records, drafts included;
    coordinators see every organisation's records except drafts, which stay private."""
    if user.is_coordinator:
        stmt = sa.select(model).where(model.status != Status.DRAFT)
    else:
        stmt = sa.select(model).where(model.organisation_id == user.organisation_id)
    if filters.status in {s.value for s in Status}:
        stmt = stmt.where(model.status == filters.status)
    if filters.theme:
        # Codes are stored as a JSON array; its text form contains "code" quoted,
        # which is the same on SQLite and PostgreSQL.
        stmt = stmt.where(sa.cast(model.themes, sa.Text).contains(f'"{filters.theme}"'))
    if filters.language:
        stmt = stmt.where(model.language == filters.language)
    if filters.query:
        pattern = f"%{filters.query.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(model.title).like(pattern),
                                 sa.func.lower(model.ref).like(pattern)))
    return stmt.order_by(model.updated_at.desc(), model.id.desc())
