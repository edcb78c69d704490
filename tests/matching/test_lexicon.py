"""Format checks for the cross-lingual lexicon ``matching/data/lexicon.json``.

The lexicon maps surface terms in the seven platform languages to shared
concept ids, and concepts to the theme, modality and beneficiary codes of the
interchange format.  These tests only check its shape and codes; whether the
terms are good is a matter for the matching evaluation.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from matching.records import BENEFICIARIES, MODALITIES, THEMES

LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh", "pt"]
KINDS = {"topic", "modality", "beneficiary", "generic"}
MIN_TOPIC_CONCEPTS_PER_THEME = 3


@pytest.fixture(scope="module")
def lexicon() -> dict:
    path = resources.files("matching") / "data/lexicon.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def concepts(lexicon: dict) -> dict:
    return lexicon["concepts"]


def test_header(lexicon: dict) -> None:
    assert lexicon["version"] == 1, "lexicon version must be 1"
    assert lexicon["languages"] == LANGUAGES, (
        f"languages must be {LANGUAGES}, got {lexicon['languages']}"
    )
    assert isinstance(lexicon["concepts"], dict) and lexicon["concepts"], "no concepts"


def test_concept_fields(concepts: dict) -> None:
    expected = {"themes", "kind", "codes", "weight", "terms"}
    for cid, concept in concepts.items():
        assert cid == cid.strip() and cid, f"concept id {cid!r} is empty or padded"
        assert set(concept) == expected, (
            f"concept {cid}: fields {sorted(concept)} != {sorted(expected)}"
        )


def test_kinds_and_codes(concepts: dict) -> None:
    for cid, concept in concepts.items():
        kind = concept["kind"]
        assert kind in KINDS, f"concept {cid}: kind {kind!r} not in {sorted(KINDS)}"

        themes = concept["themes"]
        assert isinstance(themes, list) and len(themes) <= 3, (
            f"concept {cid}: themes must be a list of at most 3 codes, got {themes!r}"
        )
        for theme in themes:
            assert theme in THEMES, f"concept {cid}: unknown theme code {theme!r}"
        assert len(set(themes)) == len(themes), f"concept {cid}: duplicate theme codes"

        codes = concept["codes"]
        assert isinstance(codes, list), f"concept {cid}: codes must be a list"
        assert len(set(codes)) == len(codes), f"concept {cid}: duplicate codes {codes}"
        if kind == "modality":
            assert codes, f"concept {cid}: a modality concept needs modality codes"
            for code in codes:
                assert code in MODALITIES, f"concept {cid}: unknown modality code {code!r}"
        elif kind == "beneficiary":
            assert codes, f"concept {cid}: a beneficiary concept needs beneficiary codes"
            for code in codes:
                assert code in BENEFICIARIES, (
                    f"concept {cid}: unknown beneficiary code {code!r}"
                )
        else:
            assert codes == [], f"concept {cid}: kind {kind} must have no codes, got {codes}"


def test_weights(concepts: dict) -> None:
    for cid, concept in concepts.items():
        weight = concept["weight"]
        assert isinstance(weight, (int, float)) and not isinstance(weight, bool), (
            f"concept {cid}: weight {weight!r} is not a number"
        )
        assert 0.3 <= weight <= 1.5, f"concept {cid}: weight {weight} outside 0.3..1.5"


def test_terms(concepts: dict) -> None:
    for cid, concept in concepts.items():
        terms = concept["terms"]
        assert set(terms) == set(LANGUAGES), (
            f"concept {cid}: languages {sorted(terms)} != {sorted(LANGUAGES)}"
        )
        for lang in LANGUAGES:
            items = terms[lang]
            assert isinstance(items, list) and items, f"concept {cid}/{lang}: no terms"
            for term in items:
                assert isinstance(term, str) and term, f"concept {cid}/{lang}: empty term"
                assert term == term.strip(), f"concept {cid}/{lang}: term {term!r} not stripped"
                assert "  " not in term, f"concept {cid}/{lang}: double space in {term!r}"
                assert term == term.lower(), f"concept {cid}/{lang}: term {term!r} not lowercase"
            dupes = [t for t, n in Counter(items).items() if n > 1]
            assert not dupes, f"concept {cid}/{lang}: duplicate terms {dupes}"


def test_chinese_terms_long_enough(concepts: dict) -> None:
    for cid, concept in concepts.items():
        for term in concept["terms"]["zh"]:
            assert len(term) >= 2, f"concept {cid}/zh: term {term!r} shorter than 2 characters"


def test_arabic_terms_without_diacritics(concepts: dict) -> None:
    harakat = {chr(c) for c in range(0x064B, 0x0653)} | {"\u0670"}
    for cid, concept in concepts.items():
        for term in concept["terms"]["ar"]:
            assert not harakat & set(term), f"concept {cid}/ar: term {term!r} has diacritics"


def test_every_theme_covered(concepts: dict) -> None:
    counts = Counter(
        theme
        for concept in concepts.values()
        if concept["kind"] == "topic"
        for theme in concept["themes"]
    )
    for theme in THEMES:
        assert counts[theme] >= MIN_TOPIC_CONCEPTS_PER_THEME, (
            f"theme {theme}: only {counts[theme]} topic concepts, "
            f"need {MIN_TOPIC_CONCEPTS_PER_THEME}"
        )


def test_every_modality_and_beneficiary_covered(concepts: dict) -> None:
    modality_codes = {
        code for c in concepts.values() if c["kind"] == "modality" for code in c["codes"]
    }
    beneficiary_codes = {
        code for c in concepts.values() if c["kind"] == "beneficiary" for code in c["codes"]
    }
    assert not set(MODALITIES) - modality_codes, (
        f"modality codes without a concept: {sorted(set(MODALITIES) - modality_codes)}"
    )
    assert not set(BENEFICIARIES) - beneficiary_codes, (
        f"beneficiary codes without a concept: {sorted(set(BENEFICIARIES) - beneficiary_codes)}"
    )
