"""What the API reads and writes, as marshmallow schemas (the OpenAPI document comes from them).

Input schemas check types, code lists and lengths, so the document says
what is accepted; the services then apply the same rules as the forms and
the interchange format, and their errors come back as 422 naming the field.
"""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

from matching import (
    BENEFICIARIES,
    COUNTRY_REGION,
    DELIVERY_MODES,
    MODALITIES,
    REGIONS,
    TEXT_LANGUAGES,
    THEMES,
)
from matching.records import (
    MAX_BUDGET_USD,
    MAX_CAPACITY,
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
)
from portal.matches.models import Decision, MatchStatus
from portal.needs.models import Confidentiality
from portal.records import Status

#: Largest page a client may ask for.
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 100_000
#: Longest list of codes accepted in one field.
MAX_CODES = 300

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# No control characters but tab, newline and carriage return: no form sends
# them and PostgreSQL cannot store NUL (the same rule as portal.security).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> None:
    if _CONTROL.search(value):
        raise ma.ValidationError("Must not contain control characters.")


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(max=max_length), _no_control_characters], **kwargs)


def codes(allowed, description: str) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(sorted(allowed))),
                       validate=validate.Length(max=MAX_CODES), metadata={"description": description})


def month(description: str) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Regexp(MONTH_PATTERN),
                         metadata={"description": description, "example": "2026-03"})


# --- Errors and pagination -----------------------------------------------------------------


class ErrorSchema(ma.Schema):
    """Every error of the API, whatever its status."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = fields.Dict(
        keys=fields.String(), values=fields.Raw(),
        metadata={"description": "For 400 and 422: what is wrong with each field, by field name "
                                 "(for request parameters, by location then name)"},
    )


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "Page number, from 1"})
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE,
                              validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"Items per page, at most {MAX_PER_PAGE}"})


class RecordListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    theme = fields.String(validate=validate.OneOf(sorted(THEMES)))
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Words of the title, or the reference"})


class MatchListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in MatchStatus]))


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items on all pages"})
    pages = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True, metadata={"description": "URL of the next page"})
    prev = fields.String(required=True, allow_none=True, metadata={"description": "URL of the previous page"})


# --- Needs and offers -------------------------------------------------------------------------


class _AssistanceIn(ma.Schema):
    """The interchange format's common fields (all optional in a PATCH)."""

    title = text(MAX_TITLE_LENGTH, metadata={"description": "One line"})
    description = text(MAX_DESCRIPTION_LENGTH)
    language = fields.String(validate=validate.OneOf(TEXT_LANGUAGES),
                             metadata={"description": "ISO 639-1 code of the title and description"})
    working_languages = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2}$")),
                                    validate=validate.Length(max=MAX_CODES),
                                    metadata={"description": "ISO 639-1 codes"})
    themes = codes(THEMES, "Theme codes (DATA_FORMAT.md)")
    modalities = codes(MODALITIES, "Kinds of assistance")
    beneficiaries = codes(BENEFICIARIES, "Beneficiary institutions")
    delivery = codes(DELIVERY_MODES, "Acceptable delivery modes; empty = either")
    budget_usd = fields.Float(allow_none=True, validate=validate.Range(min=0, max=MAX_BUDGET_USD))
    start = month("First month of the window, YYYY-MM")
    end = month("Last month of the window, YYYY-MM")
    submit = fields.Boolean(
        load_default=False,
        metadata={"description": "Submit to the secretariat (checked in full); otherwise a new "
                                 "record stays a draft and a draft stays a draft"},
    )


class NeedIn(_AssistanceIn):
    confidentiality = fields.String(
        validate=validate.OneOf([c.value for c in Confidentiality]),
        metadata={"description": "Who may read it: public, donors (without the State's name) or "
                                 "restricted (the State and the secretariat); restricted by default"},
    )


class NeedCreate(NeedIn):
    language = fields.String(required=True, validate=validate.OneOf(TEXT_LANGUAGES),
                             metadata={"description": "ISO 639-1 code of the title and description"})


class OfferIn(_AssistanceIn):
    provider = text(200, metadata={"description": "Who offers it; the organisation's name by default"})
    regions = codes(REGIONS, "Where it can be delivered; empty = anywhere")
    eligible_countries = codes(COUNTRY_REGION, "If non-empty, only these States may receive it")
    excluded_countries = codes(COUNTRY_REGION, "States it cannot serve")
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY),
                              metadata={"description": "How many engagements it can take on"})


class OfferCreate(OfferIn):
    language = fields.String(required=True, validate=validate.OneOf(TEXT_LANGUAGES),
                             metadata={"description": "ISO 639-1 code of the title and description"})


class _AssistanceOut(ma.Schema):
    id = fields.Integer(required=True, metadata={"description": "Platform id (in URLs)"})
    ref = fields.String(required=True, metadata={"description": "Interchange id, stable across import/export"})
    title = fields.String(required=True)
    description = fields.String(required=True)
    language = fields.String(required=True)
    working_languages = fields.List(fields.String(), required=True)
    themes = fields.List(fields.String(), required=True)
    modalities = fields.List(fields.String(), required=True)
    beneficiaries = fields.List(fields.String(), required=True)
    delivery = fields.List(fields.String(), required=True)
    budget_usd = fields.Float(allow_none=True)
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})


class NeedOut(_AssistanceOut):
    country = fields.String(required=True, allow_none=True,
                            metadata={"description": "ISO 3166-1 alpha-3; null when the State is withheld from you"})
    confidentiality = fields.String(required=True, allow_none=True,
                                    metadata={"description": "Only for the State and the secretariat"})


class OfferOut(_AssistanceOut):
    provider = fields.String(required=True)
    regions = fields.List(fields.String(), required=True)
    eligible_countries = fields.List(fields.String(), required=True)
    excluded_countries = fields.List(fields.String(), required=True)
    capacity = fields.Integer(required=True)
    remaining_capacity = fields.Integer(required=True)


class NeedPage(PageSchema):
    items = fields.List(fields.Nested(NeedOut), required=True)


class OfferPage(PageSchema):
    items = fields.List(fields.Nested(OfferOut), required=True)


# --- Rankings and matches -----------------------------------------------------------------------


class OfferSummary(ma.Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    title = fields.String(required=True)
    provider = fields.String(required=True)


class NeedSummary(ma.Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    title = fields.String(required=True)
    country = fields.String(required=True, allow_none=True)


class Reason(ma.Schema):
    code = fields.String(required=True)
    text = fields.String(required=True)


class Candidate(ma.Schema):
    rank = fields.Integer(required=True)
    score = fields.Float(required=True)
    offer = fields.Nested(OfferSummary, required=True)
    reasons = fields.List(fields.Nested(Reason), required=True)
    rejected = fields.Boolean(required=True, metadata={"description": "A coordinator ruled it out"})


class Ranking(ma.Schema):
    need = fields.Nested(NeedSummary, required=True)
    candidates = fields.List(fields.Nested(Candidate), required=True)


_decisions = [d.value for d in Decision]


class MatchOut(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in MatchStatus]))
    need = fields.Nested(NeedSummary, required=True)
    offer = fields.Nested(OfferSummary, required=True)
    note = fields.String(required=True, allow_none=True)
    proposed_at = fields.String(required=True, metadata={"format": "date-time"})
    donor_decision = fields.String(required=True, allow_none=True, metadata={"description": " or ".join(_decisions)})
    donor_reason = fields.String(required=True, allow_none=True)
    state_decision = fields.String(required=True, allow_none=True, metadata={"description": " or ".join(_decisions)})
    state_reason = fields.String(required=True, allow_none=True)
    agreed_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    closed_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    closed_reason = fields.String(required=True, allow_none=True)


class MatchPage(PageSchema):
    items = fields.List(fields.Nested(MatchOut), required=True)
