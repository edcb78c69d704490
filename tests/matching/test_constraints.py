"""Hard constraints, one by one, at their boundaries; and the vectorised mask."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import FeasibilityIndex, is_feasible, violations


def codes(need, offer):
    return [v.code for v in violations(need, offer)]


def test_admissible_pair_has_no_violation(make_need, make_offer):
    assert violations(make_need(), make_offer()) == []


@pytest.mark.parametrize("need_langs, offer_langs, ok", [
    (["en"], ["en"], True),
    (["fr", "en"], ["en"], True),
    (["es"], ["en"], False),
    (["ar"], ["fr", "ru"], False),
    (["sw"], ["sw", "en"], True),  # any ISO 639-1 code may be a working language
])
def test_language(make_need, make_offer, need_langs, offer_langs, ok):
    found = codes(make_need(working_languages=need_langs),
                  make_offer(working_languages=offer_langs))
    assert ("language" not in found) is ok


def test_language_message_names_both_sides(make_need, make_offer):
    (violation,) = violations(make_need(working_languages=["es"]),
                              make_offer(working_languages=["en"]))
    assert violation.text == "no shared working language (need: es; offer: en)"
    assert violation.params == {"need": ["es"], "offer": ["en"]}


def test_text_language_does_not_matter(make_need, make_offer):
    need = make_need(language="fr", working_languages=["en"])
    assert is_feasible(need, make_offer(language="es", working_languages=["en"]))


@pytest.mark.parametrize("eligible, ok", [([], True), (["KEN"], True), (["UGA", "KEN"], True),
                                          (["UGA"], False)])
def test_eligible_countries(make_need, make_offer, eligible, ok):
    found = codes(make_need(country="KEN"), make_offer(eligible_countries=eligible))
    assert ("not_eligible" not in found) is ok


@pytest.mark.parametrize("excluded, ok", [([], True), (["UGA"], True), (["KEN"], False)])
def test_excluded_countries(make_need, make_offer, excluded, ok):
    found = codes(make_need(country="KEN"), make_offer(excluded_countries=excluded))
    assert ("excluded" not in found) is ok


@pytest.mark.parametrize("country, regions, ok", [
    ("KEN", [], True), ("KEN", ["africa"], True), ("KEN", ["asia", "europe"], False),
    ("GEO", ["asia"], True), ("GEO", ["europe"], False),   # M49: Georgia is in Asia
    ("EGY", ["africa"], True), ("TLS", ["asia"], True), ("TLS", ["oceania"], False),
])
def test_regions(make_need, make_offer, country, regions, ok):
    found = codes(make_need(country=country), make_offer(regions=regions))
    assert ("outside_regions" not in found) is ok


@pytest.mark.parametrize("need_modes, offer_modes, ok", [
    ([], [], True), ([], ["remote"], True), (["in_person"], [], True),
    (["in_person"], ["in_person", "remote"], True), (["remote"], ["in_person"], False),
    (["in_person"], ["remote"], False),
])
def test_delivery(make_need, make_offer, need_modes, offer_modes, ok):
    found = codes(make_need(delivery=need_modes), make_offer(delivery=offer_modes))
    assert ("delivery" not in found) is ok


@pytest.mark.parametrize("need_window, offer_window, ok", [
    ({}, {"start": "2024-01", "end": "2024-12"}, True),          # need gives none
    ({"start": "2025-01"}, {}, True),                              # offer gives none
    ({"start": "2026-06", "end": "2026-06"}, {"start": "2026-06", "end": "2026-12"}, True),
    ({"start": "2026-01", "end": "2026-06"}, {"start": "2026-06"}, True),   # inclusive months
    ({"start": "2026-01", "end": "2026-05"}, {"start": "2026-06"}, False),
    ({"start": "2026-07"}, {"end": "2026-06"}, False),
    ({"start": "2026-06"}, {"end": "2026-06"}, True),
    ({"end": "2024-12"}, {"start": "2025-01", "end": "2025-12"}, False),
    ({"end": "2030-01"}, {"end": "2020-01"}, True),                # both open at the start
])
def test_windows(make_need, make_offer, need_window, offer_window, ok):
    found = codes(make_need(**need_window), make_offer(**offer_window))
    assert ("window" not in found) is ok


def test_window_message(make_need, make_offer):
    (violation,) = violations(make_need(start="2025-06", end="2026-06"),
                              make_offer(start="2024-01", end="2024-12"))
    assert violation.code == "window"
    assert "2025-06 to 2026-06" in violation.text and "2024-01 to 2024-12" in violation.text


def test_several_violations_in_fixed_order(make_need, make_offer):
    need = make_need(country="KEN", working_languages=["fr"], delivery=["remote"])
    offer = make_offer(working_languages=["en"], excluded_countries=["KEN"],
                       delivery=["in_person"])
    assert codes(need, offer) == ["language", "excluded", "delivery"]


# -- the vectorised mask agrees with the pure predicate ------------------------
COUNTRIES = ["KEN", "GEO", "BRA", "FRA", "FJI", "CHN"]
MONTHS = st.none() | st.sampled_from(["2024-01", "2025-06", "2025-12", "2026-06", "2027-01"])


@st.composite
def pairs(draw):
    langs = st.lists(st.sampled_from(["en", "fr", "es", "ar"]), min_size=1, max_size=2,
                     unique=True)
    modes = st.lists(st.sampled_from(["in_person", "remote"]), max_size=2, unique=True)

    def window():
        start, end = draw(MONTHS), draw(MONTHS)
        if start and end and start > end:
            start, end = end, start
        return {k: v for k, v in (("start", start), ("end", end)) if v}

    need = {"id": "N", "country": draw(st.sampled_from(COUNTRIES)), "title": "t",
            "description": "d", "language": "en", "working_languages": draw(langs),
            "delivery": draw(modes), **window()}
    offers = []
    for i in range(draw(st.integers(1, 6))):
        offers.append({
            "id": f"O{i}", "provider": "p", "title": "t", "description": "d",
            "language": "en", "working_languages": draw(langs), "delivery": draw(modes),
            "regions": draw(st.lists(st.sampled_from(["africa", "asia", "europe",
                                                      "americas", "oceania"]),
                                     max_size=2, unique=True)),
            "eligible_countries": draw(st.lists(st.sampled_from(COUNTRIES), max_size=2,
                                                unique=True)),
            "excluded_countries": draw(st.lists(st.sampled_from(COUNTRIES), max_size=1)),
            **window(),
        })
    return need, offers


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_mask_agrees_with_violations(pair):
    need, offers = pair
    index = FeasibilityIndex().fit(offers)
    expected = np.array([is_feasible(need, o) for o in offers])
    assert np.array_equal(index.mask(need), expected)
    rows = np.arange(len(offers))[::-1]
    assert np.array_equal(index.mask(need, rows), expected[::-1])


@settings(max_examples=100, deadline=None)
@given(pairs(), pairs())
def test_mask_pairs_agrees_with_violations(first, second):
    (need, offers), (other, _) = first, second
    index = FeasibilityIndex().fit(offers)
    needs = [need, dict(other, id="M")]
    owner = np.repeat([1, 0], len(offers))
    rows = np.tile(np.arange(len(offers))[::-1], 2)
    expected = [is_feasible(needs[o], offers[r]) for o, r in zip(owner, rows, strict=True)]
    assert index.mask_pairs(needs, owner, rows).tolist() == expected


def test_mask_after_append_and_keep(make_need, make_offer):
    index = FeasibilityIndex().fit([make_offer(id="A", working_languages=["en"])])
    index.append([make_offer(id="B", working_languages=["fr"]),
                  make_offer(id="C", working_languages=["fr", "en"])])
    need = make_need(working_languages=["fr"])
    assert index.mask(need).tolist() == [False, True, True]
    index.keep(np.array([True, False, True]))
    assert index.mask(need).tolist() == [False, True]


def test_unknown_need_language_is_infeasible(make_need, make_offer):
    index = FeasibilityIndex().fit([make_offer()])
    assert index.mask(make_need(working_languages=["xh"])).tolist() == [False]
