"""Choices for pickers and readable names for codes.

Countries come from pycountry (ISO 3166-1) and their names from Babel's
CLDR data, languages from pycountry (ISO 639-1) and Babel: no hand-typed
lists, and names can follow the user's language.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError
from flask import has_request_context
from flask_babel import get_locale

from matching import (
    BENEFICIARIES,
    COUNTRY_REGION,
    DELIVERY_MODES,
    MODALITIES,
    REGIONS,
    TEXT_LANGUAGES,
    THEMES,
)
from portal import taxonomy

DEFAULT_LOCALE = "en"


def current_locale() -> str:
    """The language of the page being built (English outside a request)."""
    if has_request_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return DEFAULT_LOCALE


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def country_name(alpha_3: str | None, locale: str | None = None) -> str:
    """The country's name in ``locale`` (by default the page's language)."""
    return _country_name(alpha_3, locale or current_locale())


@lru_cache(maxsize=4096)
def _country_name(alpha_3: str | None, locale: str) -> str:
    if not alpha_3:
        return ""
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        return alpha_3
    return _locale(locale).territories.get(country.alpha_2) or country.name


def language_name(alpha_2: str | None, locale: str | None = None) -> str:
    """The language's name in ``locale`` (by default the page's language)."""
    return _language_name(alpha_2, locale or current_locale())


@lru_cache(maxsize=4096)
def _language_name(alpha_2: str | None, locale: str) -> str:
    if not alpha_2:
        return ""
    name = _locale(locale).languages.get(alpha_2)
    if name:
        return name
    language = pycountry.languages.get(alpha_2=alpha_2)
    return language.name if language else alpha_2


def country_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 3166-1 country the interchange format knows, sorted by name."""
    return _country_choices(locale or current_locale())


@lru_cache(maxsize=16)
def _country_choices(locale: str) -> list[tuple[str, str]]:
    codes = [c for c in COUNTRY_REGION if pycountry.countries.get(alpha_3=c)]
    return sorted(((c, country_name(c, locale)) for c in codes), key=lambda item: item[1])


def language_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 639-1 language, the UN's official ones and Portuguese first."""
    return _language_choices(locale or current_locale())


@lru_cache(maxsize=16)
def _language_choices(locale: str) -> list[tuple[str, str]]:
    first = [(code, language_name(code, locale)) for code in TEXT_LANGUAGES]
    rest = sorted(
        (
            (lang.alpha_2, language_name(lang.alpha_2, locale))
            for lang in pycountry.languages
            if hasattr(lang, "alpha_2") and lang.alpha_2 not in TEXT_LANGUAGES
        ),
        key=lambda item: item[1],
    )
    return first + rest


def text_language_choices(locale: str | None = None) -> list[tuple[str, str]]:
    locale = locale or current_locale()
    return [(code, language_name(code, locale)) for code in TEXT_LANGUAGES]


ALL_CODE_LISTS = {
    "theme": THEMES,
    "modality": MODALITIES,
    "beneficiary": BENEFICIARIES,
    "region": REGIONS,
    "delivery": DELIVERY_MODES,
}


def code_choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) in the page's language, in the code list's order."""
    return [(code, code_label(kind, code)) for code in ALL_CODE_LISTS[kind]]


def code_label(kind: str, code: str) -> str:
    term = taxonomy.CODE_LISTS[kind].get(code)
    return str(term.label) if term else code


# The codes in English, for tools and tests that need the lists outside a page.
THEME_CHOICES = [(code, entry.label) for code, entry in THEMES.items()]
MODALITY_CHOICES = [(code, entry.label) for code, entry in MODALITIES.items()]
BENEFICIARY_CHOICES = [(code, entry.label) for code, entry in BENEFICIARIES.items()]
REGION_CHOICES = [(code, entry.label) for code, entry in REGIONS.items()]
DELIVERY_CHOICES = [(code, entry.label) for code, entry in DELIVERY_MODES.items()]
