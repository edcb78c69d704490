"""The engine's reasons and broken constraints, as sentences in the user's language.

``matching`` stays free of Flask: each reason carries a stable ``code`` and the
``params`` its sentence is built from (its English ``text`` is for the command
line). Here every code has a gettext sentence; an unknown code (a newer engine)
falls back to the engine's English text rather than to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from portal import choices
from portal.presentation import list_join, money, month


def _join(values) -> str:
    return list_join(values)


def _codes(kind: str, values) -> str:
    return _join(choices.code_label(kind, v) for v in values or [])


def _languages(values) -> str:
    return _join(choices.language_name(v) for v in values or []) or _("none")


def _countries(values) -> str:
    return _join(choices.country_name(v) for v in values or [])


def _start_month(value: str | None) -> str:
    # Marked on their own: Babel's extractor skips a _() nested in another's arguments.
    return _("the start") if value in (None, "0000-01") else month(value)


def _end_month(value: str | None) -> str:
    return _("open end") if value in (None, "9999-12") else month(value)


def _window(pair) -> str:
    start, end = (list(pair or []) + [None, None])[:2]
    return _("%(start)s to %(end)s", start=_start_month(start), end=_end_month(end))


REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "shared_themes": lambda p: _("Shared themes: %(themes)s", themes=_codes("theme", p.get("themes"))),
    "similar_terms": lambda p: _("Similar terms: %(terms)s", terms=_join(p.get("terms") or [])),
    "generic_offer": lambda p: _("Broad offer covering %(count)s areas; specific offers rank above it",
                                 count=format_decimal(p.get("themes") or 0)),
    "shared_languages": lambda p: _("Working languages in common: %(languages)s",
                                    languages=_languages(p.get("languages"))),
    "shared_modalities": lambda p: _("Kinds of help in common: %(modalities)s",
                                     modalities=_codes("modality", p.get("modalities"))),
    "shared_beneficiaries": lambda p: _("Beneficiaries in common: %(beneficiaries)s",
                                        beneficiaries=_codes("beneficiary", p.get("beneficiaries"))),
    "budget_low": lambda p: _("Offer budget %(offer)s is far below the need's %(need)s",
                              offer=money(p.get("offer")), need=money(p.get("need"))),
    "budget_covers": lambda p: _("Offer budget %(offer)s covers the need's %(need)s",
                                 offer=money(p.get("offer")), need=money(p.get("need"))),
    "budget_partial": lambda p: _("Offer budget %(offer)s covers %(share)s of the need's %(need)s",
                                  offer=money(p.get("offer")), need=money(p.get("need")),
                                  share=format_percent(p.get("share") or 0)),
    "windows_overlap": lambda p: _("Windows overlap from %(start)s to %(end)s",
                                   start=_start_month(p.get("start")),
                                   end=_end_month(p.get("end"))),
}

CONSTRAINTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "language": lambda p: _("no shared working language (need: %(need)s; offer: %(offer)s)",
                            need=_languages(p.get("need")), offer=_languages(p.get("offer"))),
    "not_eligible": lambda p: _("%(country)s is not among the offer's eligible countries (%(eligible)s)",
                                country=choices.country_name(p.get("country")),
                                eligible=_countries(p.get("eligible"))),
    "excluded": lambda p: _("%(country)s is in the offer's excluded countries",
                            country=choices.country_name(p.get("country"))),
    "outside_regions": lambda p: _("%(country)s (%(region)s) is outside the offer's regions (%(regions)s)",
                                   country=choices.country_name(p.get("country")),
                                   region=choices.code_label("region", p["region"]) if p.get("region")
                                   else _("no region"),
                                   regions=_codes("region", p.get("regions"))),
    "delivery": lambda p: _("delivery modes do not match (need: %(need)s; offer: %(offer)s)",
                            need=_codes("delivery", p.get("need")), offer=_codes("delivery", p.get("offer"))),
    "window": lambda p: _("availability windows do not overlap (need: %(need)s; offer: %(offer)s)",
                          need=_window(p.get("need")), offer=_window(p.get("offer"))),
}


def constraint_text(code: str, params: Mapping[str, Any], fallback: str = "") -> str:
    sentence = CONSTRAINTS.get(code)
    return sentence(params) if sentence else fallback


def reason_text(reason: Mapping[str, Any]) -> str:
    """One reason ({code, params, text}) as a sentence in the page's language."""
    code, params = reason.get("code"), reason.get("params") or {}
    if code == "excluded":
        return _("Excluded: %(constraint)s", constraint=constraint_text(
            params.get("constraint", ""), params, reason.get("text", "")))
    sentence = REASONS.get(code)
    return sentence(params) if sentence else reason.get("text", "")
