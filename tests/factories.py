"""Plain data for needs and offers, shaped as the services take it."""

from __future__ import annotations

NEED = {
    "title": "Mutual legal assistance for electronic evidence",
    "description": "Our central authority needs mentoring on drafting mutual legal assistance "
                   "requests for subscriber data and preservation of electronic evidence held abroad.",
    "language": "en", "working_languages": ["en"], "themes": ["international_cooperation"],
    "modalities": ["mentoring"], "beneficiaries": ["central_authority"], "delivery": [],
    "budget_usd": 60000.0, "start": "2026-01", "end": "2026-12",
    # The workflow's tests want both sides to see the proposal at once;
    # restricted needs have their own tests.
    "confidentiality": "public",
}


def offer_fields(**overrides) -> dict:
    fields = {
        "provider": "Valdoria", "capacity": 2,
        "title": "Mentoring central authorities on mutual legal assistance requests",
        "description": "Practitioners mentor central authority staff on drafting mutual legal "
                       "assistance requests for electronic evidence and preservation orders.",
        "language": "en", "working_languages": ["en"], "themes": ["international_cooperation"],
        "modalities": ["mentoring"], "beneficiaries": ["central_authority"], "delivery": [],
        "regions": [], "eligible_countries": [], "excluded_countries": [],
        "budget_usd": 80000.0, "start": "2026-01", "end": "2027-06",
    }
    fields.update(overrides)
    return fields


def need_fields(**overrides) -> dict:
    return dict(NEED, **overrides)
