"""Import and export needs and offers in the interchange format (DATA_FORMAT.md).

The mapping between models and records lives in four functions:
``need_to_record``/``offer_to_record`` (model -> record; the matching
engine is fed through them too) and ``record_to_need_fields``/
``record_to_offer_fields`` (record -> model attributes).

Import is all or nothing: :func:`check_records` looks at every record first
(the format's own rules from ``matching.records`` plus the platform's), and
:func:`import_records` writes only when nothing is wrong. Services flush; the
caller commits once.

Organisations on import
-----------------------
- A need belongs to the requesting-State organisation of its ``country``
  (kind ``requesting_state``; the oldest one if a country has several),
  created when missing and named by the country's English name.
- An offer belongs to the organisation whose name is exactly its
  ``provider``, created when missing with the kind ``donor_kind``
  (``international_organisation`` unless told otherwise). Every donor kind
  has the same rights on the platform, so the kind is only descriptive. A
  provider that names a requesting State or the secretariat is an error.
- A record already on the platform (same ``ref``) is updated in place and
  keeps its organisation unless its ``country``/``provider`` changed, and
  keeps its status: import changes content, not where a record is in its
  lifecycle. New records get ``status`` (``submitted`` by default).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from matching import COUNTRY_REGION, RecordError, validate_records
from portal.audit import services as audit
from portal.auth.models import Organisation, OrganisationKind
from portal.auth.services import MAX_NAME_LENGTH
from portal.choices import country_name
from portal.extensions import db
from portal.interchange.mapping import (
    need_to_record,
    offer_to_record,
    record_to_need_fields,
    record_to_offer_fields,
)
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import Status

__all__ = [
    "InterchangeError", "ImportSummary", "Problem", "check_records", "export_records",
    "import_records", "need_to_record", "offer_to_record", "read_directory",
    "record_to_need_fields", "record_to_offer_fields", "state_organisation", "write_directory",
]

NEEDS_FILE = "requests.json"
OFFERS_FILE = "offers.json"

#: Length of the ``ref`` column that keeps a record's interchange id.
MAX_REF_LENGTH = 64



class Problem(NamedTuple):
    """One thing wrong with one record of one file."""

    file: str
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: record {self.record_id!r}, field {self.field!r}: {self.message}"


class InterchangeError(Exception):
    """Records were refused; ``problems`` names every bad record and field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=lambda: {"need": 0, "offer": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"need": 0, "offer": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"need": 0, "offer": 0})
    organisations_created: list[str] = field(default_factory=list)


# --- Files ---------------------------------------------------------------------


def read_directory(directory: Path) -> tuple[list | None, list | None]:
    """The parsed requests.json and offers.json of ``directory`` (None when absent)."""
    problems: list[Problem] = []
    loaded: dict[str, Any] = {}
    for name in (NEEDS_FILE, OFFERS_FILE):
        path = Path(directory) / name
        if not path.is_file():
            loaded[name] = None
            continue
        try:
            loaded[name] = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problems.append(Problem(name, "(file)", "(file)", f"is not valid UTF-8 JSON: {error}"))
    if problems:
        raise InterchangeError(problems)
    return loaded[NEEDS_FILE], loaded[OFFERS_FILE]


def write_directory(directory: Path, needs: list[dict], offers: list[dict]) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records in ((NEEDS_FILE, needs), (OFFERS_FILE, offers)):
        path = directory / name
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


# --- Organisations ---------------------------------------------------------------


def state_organisation(country: str) -> Organisation | None:
    """The requesting-State organisation of ``country`` (the oldest if several)."""
    return db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind.REQUESTING_STATE, Organisation.country == country)
        .order_by(Organisation.id)
        .limit(1)
    )


def _organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


# --- Checks ------------------------------------------------------------------------


def _format_problems(records: Any, kind: str, file: str) -> list[Problem]:
    try:
        validate_records(records, kind)
    except RecordError as error:
        return [Problem(file, *problem) for problem in error.problems]
    return []


def _ids(records: Any) -> set[str]:
    if not isinstance(records, list):
        return set()
    return {r["id"] for r in records if isinstance(r, Mapping) and isinstance(r.get("id"), str)}


def _existing_refs(model, refs: Iterable[str]) -> set[str]:
    refs = list(refs)
    if not refs:
        return set()
    return set(db.session.scalars(sa.select(model.ref).where(model.ref.in_(refs))))


def _platform_problems(
    record: Mapping[str, Any], file: str, other_file: str, other_ids: set[str], taken: set[str]
) -> list[Problem]:
    rid = record.get("id")
    if not isinstance(rid, str) or not rid:
        return []
    problems = []
    if len(rid) > MAX_REF_LENGTH:
        problems.append(Problem(file, rid, "id", f"is longer than {MAX_REF_LENGTH} characters"))
    if rid in other_ids:
        problems.append(Problem(file, rid, "id", f"is also the id of a record in {other_file}"))
    if rid in taken:
        kind = "an offer" if other_file == OFFERS_FILE else "a need"
        problems.append(Problem(file, rid, "id", f"is already used by {kind} on the platform"))
    return problems


def _need_organisation_problem(record: Mapping[str, Any]) -> Problem | None:
    country = record.get("country")
    if not isinstance(country, str) or state_organisation(country) is not None:
        return None
    name = country_name(country)
    holder = _organisation_named(name)
    if holder is None:
        return None
    return Problem(NEEDS_FILE, record["id"], "country",
                   f"no requesting-State organisation for {country}, and the name {name!r} "
                   f"is taken by a {holder.kind.value} organisation")


def _offer_organisation_problem(
    record: Mapping[str, Any], new_state_names: set[str]
) -> Problem | None:
    provider = record.get("provider")
    if not isinstance(provider, str) or not provider.strip():
        return None
    if len(provider.strip()) > MAX_NAME_LENGTH:
        return Problem(OFFERS_FILE, record["id"], "provider",
                       f"is longer than {MAX_NAME_LENGTH} characters")
    holder = _organisation_named(provider.strip())
    if holder is not None and not holder.is_donor:
        return Problem(OFFERS_FILE, record["id"], "provider",
                       f"names the {holder.kind.value} organisation {holder.name!r}, "
                       "which cannot make offers")
    if holder is None and provider.strip() in new_state_names:
        return Problem(OFFERS_FILE, record["id"], "provider",
                       "is the name of the requesting-State organisation this import creates "
                       "for its requests")
    return None


def check_records(needs: list | None, offers: list | None) -> list[Problem]:
    """Every problem of every record, in file order; empty when all can be imported."""
    problems: list[Problem] = []
    need_ids, offer_ids = _ids(needs), _ids(offers)
    new_state_names = {
        country_name(r["country"]) for r in (needs if isinstance(needs, list) else [])
        if isinstance(r, Mapping) and isinstance(r.get("country"), str)
        and r["country"] in COUNTRY_REGION and state_organisation(r["country"]) is None
    }
    sides = (
        (needs, "need", NEEDS_FILE, OFFERS_FILE, offer_ids, _existing_refs(Offer, need_ids),
         _need_organisation_problem),
        (offers, "offer", OFFERS_FILE, NEEDS_FILE, need_ids, _existing_refs(Need, offer_ids),
         partial(_offer_organisation_problem, new_state_names=new_state_names)),
    )
    for records, kind, file, other_file, other_ids, taken, organisation_problem in sides:
        if records is None:
            continue
        problems.extend(_format_problems(records, kind, file))
        if not isinstance(records, list):
            continue
        for record in records:
            if not isinstance(record, Mapping) or not isinstance(record.get("id"), str):
                continue
            problems.extend(_platform_problems(record, file, other_file, other_ids, taken))
            problem = organisation_problem(record)
            if problem:
                problems.append(problem)
    return _in_file_order(problems)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Group each record's problems together, keeping the files' own order."""
    first_seen: dict[tuple[str, str], int] = {}
    for position, problem in enumerate(problems):
        first_seen.setdefault((problem.file, problem.record_id), position)
    return sorted(problems, key=lambda p: first_seen[(p.file, p.record_id)])


# --- Import and export ----------------------------------------------------------------


def _apply(record_model, fields: dict[str, Any], organisation: Organisation) -> bool:
    """Set ``fields`` on the model; return whether anything changed."""
    changed = record_model.organisation_id != organisation.id or any(
        getattr(record_model, name) != value for name, value in fields.items()
    )
    if changed:
        for name, value in fields.items():
            setattr(record_model, name, value)
        record_model.organisation = organisation
    return changed


def import_records(
    needs: list | None,
    offers: list | None,
    *,
    status: Status = Status.SUBMITTED,
    donor_kind: OrganisationKind = OrganisationKind.INTERNATIONAL_ORGANISATION,
) -> ImportSummary:
    """Create or update (by ``ref``) every need and offer; all or nothing.

    Raises :class:`InterchangeError` naming every bad record before writing
    anything. Flushes; the caller commits.
    """
    if not OrganisationKind(donor_kind).is_donor:
        raise ValueError(f"donor_kind must be a donor kind, not {donor_kind!r}")
    problems = check_records(needs, offers)
    if problems:
        raise InterchangeError(problems)
    summary = ImportSummary()
    importer = _Importer(summary, Status(status), OrganisationKind(donor_kind))
    for record in needs or []:
        importer.import_need(record)
    for record in offers or []:
        importer.import_offer(record)
    db.session.flush()
    return summary


class _Importer:
    """Finds or creates organisations once per import and counts what it did."""

    def __init__(self, summary: ImportSummary, status: Status, donor_kind: OrganisationKind):
        self.summary = summary
        self.status = status
        self.donor_kind = donor_kind

    def _create_organisation(self, **columns) -> Organisation:
        organisation = Organisation(**columns)
        db.session.add(organisation)
        db.session.flush()
        self.summary.organisations_created.append(organisation.name)
        return organisation

    def state_for(self, country: str) -> Organisation:
        return state_organisation(country) or self._create_organisation(
            name=country_name(country), kind=OrganisationKind.REQUESTING_STATE, country=country
        )

    def provider_for(self, provider: str) -> Organisation:
        return _organisation_named(provider) or self._create_organisation(
            name=provider, kind=self.donor_kind
        )

    def _store(self, kind: str, model, fields: dict[str, Any], existing, organisation) -> None:
        if existing is None:
            record = model(status=self.status)
            db.session.add(record)
            _apply(record, fields, organisation)
            if kind == "offer":
                record.remaining_capacity = record.capacity
            db.session.flush()
            audit.record(f"{kind}.imported", record, actor=None, after=audit.snapshot(record))
            self.summary.created[kind] += 1
            return
        before = audit.snapshot(existing)
        taken = existing.capacity - existing.remaining_capacity if kind == "offer" else 0
        if _apply(existing, fields, organisation):
            if kind == "offer":
                # Engagements already agreed stay taken.
                existing.remaining_capacity = max(existing.capacity - taken, 0)
            changed_before, changed_after = audit.changed_only(before, audit.snapshot(existing))
            audit.record(f"{kind}.reimported", existing, actor=None,
                         before=changed_before, after=changed_after)
            self.summary.updated[kind] += 1
        else:
            self.summary.unchanged[kind] += 1

    def import_need(self, record: Mapping[str, Any]) -> None:
        fields = record_to_need_fields(record)
        existing = db.session.scalar(sa.select(Need).where(Need.ref == fields["ref"]))
        if existing is not None and existing.country == fields["country"]:
            organisation = existing.organisation
        else:
            organisation = self.state_for(fields["country"])
        self._store("need", Need, fields, existing, organisation)

    def import_offer(self, record: Mapping[str, Any]) -> None:
        fields = record_to_offer_fields(record)
        existing = db.session.scalar(sa.select(Offer).where(Offer.ref == fields["ref"]))
        if existing is not None and existing.provider == fields["provider"]:
            organisation = existing.organisation
        else:
            organisation = self.provider_for(fields["provider"])
        self._store("offer", Offer, fields, existing, organisation)


def export_records(*, include_drafts: bool = False) -> tuple[list[dict], list[dict]]:
    """Every need and offer as records, by id; drafts only when asked for.

    Drafts are private to their organisation, hence left out by default.
    Only the interchange fields are written: no status, owner or history.
    """
    def query(model):
        statement = sa.select(model).order_by(model.ref)
        if not include_drafts:
            statement = statement.where(model.status != Status.DRAFT)
        return db.session.scalars(statement)

    return [need_to_record(n) for n in query(Need)], [offer_to_record(o) for o in query(Offer)]
