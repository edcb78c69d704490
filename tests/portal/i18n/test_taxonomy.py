"""The taxonomy and the engine's reasons, in the user's language."""

from __future__ import annotations

import pytest
from flask_babel import LazyString, refresh

from matching import records
from matching.constraints import violations
from portal import taxonomy
from portal.matches.reasons import CONSTRAINTS, REASONS, reason_text

LISTS = {
    "theme": records.THEMES, "modality": records.MODALITIES, "beneficiary": records.BENEFICIARIES,
    "region": records.REGIONS, "delivery": records.DELIVERY_MODES,
}


@pytest.mark.parametrize("kind", LISTS)
def test_every_code_has_a_marked_label_with_the_engines_english(app, kind):
    engine, portal_terms = LISTS[kind], taxonomy.CODE_LISTS[kind]
    assert list(portal_terms) == list(engine)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        for code, entry in engine.items():
            term = portal_terms[code]
            assert isinstance(term.label, LazyString)
            assert str(term.label) == entry.label
            if entry.explanation:
                assert isinstance(term.explanation, LazyString)
                assert str(term.explanation) == entry.explanation
                assert term.articles == entry.articles


def test_theme_labels_follow_the_page_language(app, client):
    page = client.get("/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        from portal.choices import code_label, country_name, language_name

        assert country_name("DEU") == "Allemagne"  # CLDR, whatever the catalogues hold
        assert language_name("en") == "anglais"
        assert code_label("theme", "legislation") == str(taxonomy.THEMES["legislation"].label)


ENGINE_REASONS = ["shared_themes", "similar_terms", "generic_offer", "shared_languages",
                  "shared_modalities", "shared_beneficiaries", "budget_low", "budget_covers",
                  "budget_partial", "windows_overlap"]


def test_every_reason_code_of_the_engine_has_a_sentence():
    assert set(ENGINE_REASONS) == set(REASONS)
    assert set(CONSTRAINTS) == {"language", "not_eligible", "excluded", "outside_regions", "delivery", "window"}


def test_reasons_are_rendered_from_their_code_and_params(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert reason_text({"code": "shared_themes", "params": {"themes": ["legislation"]},
                            "text": "ignored"}) == "Shared themes: Legislation"
        assert reason_text({"code": "budget_partial", "params": {"offer": 50000, "need": 100000, "share": 0.5},
                            "text": "ignored"}) == "Offer budget $50,000 covers 50% of the need's $100,000"
        # An unknown code (a newer engine) keeps the engine's own text.
        assert reason_text({"code": "brand_new", "params": {}, "text": "As the engine says"}) == "As the engine says"


def test_broken_constraints_are_named_in_the_page_language(app):
    need = {"working_languages": ["fr"], "country": "DEU"}
    offer = {"working_languages": ["en"], "excluded_countries": ["DEU"]}
    broken = violations(need, offer)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        text = reason_text({"code": "excluded", "params": {"constraint": broken[0].code, **broken[0].params},
                            "text": ""})
        assert text == "Excluded: no shared working language (need: French; offer: English)"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        refresh()  # the locale is cached for the app context the fixture keeps open
        text = CONSTRAINTS["excluded"](broken[1].params)
        assert "Allemagne" in text
