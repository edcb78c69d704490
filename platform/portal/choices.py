"""Choices for pickers and readable names for codes.

Countries come from pycountry (ISO 3166-1) and their names from Babel's
CLDR data, languages from pycountry (ISO 639-1) and Babel: no hand-typed
lists, and names can follow the user's language.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

from matching import (
    BENEFICIARIES,
    COUNTRY_REGION,
    DELIVERY_MODES,
    MODALITIES,
    REGIONS,
    TEXT_LANGUAGES,
    THEMES,
)

DEFAULT_LOCALE = "en"


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=1024)
def country_name(alpha_3: str | None, locale: str = DEFAULT_LOCALE) -> str:
    if not alpha_3:
        return ""
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        return alpha_3
    return _locale(locale).territories.get(country.alpha_2) or country.name


@lru_cache(maxsize=1024)
def language_name(alpha_2: str | None, locale: str = DEFAULT_LOCALE) -> str:
    if not alpha_2:
        return ""
    name = _locale(locale).languages.get(alpha_2)
    if name:
        return name
    language = pycountry.languages.get(alpha_2=alpha_2)
    return language.name if language else alpha_2


@lru_cache(maxsize=16)
def country_choices(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """Every ISO 3166-1 country the interchange format knows, sorted by name."""
    codes = [c for c in COUNTRY_REGION if pycountry.countries.get(alpha_3=c)]
    return sorted(((c, country_name(c, locale)) for c in codes), key=lambda item: item[1])


@lru_cache(maxsize=16)
def language_choices(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """Every ISO 639-1 language, the UN's official ones and Portuguese first."""
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


def text_language_choices(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    return [(code, language_name(code, locale)) for code in TEXT_LANGUAGES]


def code_choices(code_list) -> list[tuple[str, str]]:
    return [(code, entry.label) for code, entry in code_list.items()]


THEME_CHOICES = code_choices(THEMES)
MODALITY_CHOICES = code_choices(MODALITIES)
BENEFICIARY_CHOICES = code_choices(BENEFICIARIES)
REGION_CHOICES = code_choices(REGIONS)
DELIVERY_CHOICES = code_choices(DELIVERY_MODES)

ALL_CODE_LISTS = {
    "theme": THEMES,
    "modality": MODALITIES,
    "beneficiary": BENEFICIARIES,
    "region": REGIONS,
    "delivery": DELIVERY_MODES,
}


def code_label(kind: str, code: str) -> str:
    entry = ALL_CODE_LISTS[kind].get(code)
    return entry.label if entry else code
