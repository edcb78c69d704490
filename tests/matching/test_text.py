"""Normalisation, tokenisation and the concept lexicon."""

from __future__ import annotations

import pytest

from matching import THEMES, Lexicon
from matching._text import normalize, stem, stems, words


@pytest.mark.parametrize("raw, folded", [
    ("Électronique CRÍMENES ação", "electronique crimenes acao"),
    ("ёлка Йемен", "елка йемен"),            # Cyrillic й keeps its breve
    ("الأدلة", "الادله"),                      # hamza alef and ta marbuta folded
    ("إِجْرَاءَات", "اجراءات"),                 # diacritics removed
    ("ＣＳＡＭ", "csam"),                       # full-width forms
])
def test_normalize(raw, folded):
    assert normalize(raw) == folded


def test_words_split_chinese_from_latin():
    assert words(normalize("CSAM儿童 24/7 PoC")) == ["csam", "儿童", "24", "7", "poc"]


def test_stems_join_inflections_and_drop_stop_words():
    assert stems("the investigators investigated", "en") == [stem("investigators", "en")] * 2
    assert stem("доказательства", "ru") == stem("доказательств", "ru")
    assert stems("数字取证", "zh") == ["数字", "字取", "取证"]


TINY = {"version": 1, "concepts": {
    "mla": {"themes": ["international_cooperation"], "terms": {
        "en": ["mutual legal assistance", "mla"], "fr": ["entraide judiciaire"],
        "zh": ["司法协助"], "ar": ["المساعدة القانونية المتبادلة"]}},
    "training": {"themes": [], "weight": 0.5, "terms": {"fr": ["formation"],
                                                          "en": ["training"]}},
}}


def find(lexicon, text, language="en"):
    toks = words(normalize(text))
    return lexicon.find(toks, [stem(t, language) for t in toks], language=language)


def test_find_multiword_inflected_and_acronym():
    lexicon = Lexicon.from_dict(TINY)
    assert find(lexicon, "Mutual legal assistance and MLA requests") == {"mla": 2}
    assert find(lexicon, "l'entraide judiciaire", "fr") == {"mla": 1}
    assert find(lexicon, "طلبات المساعدة القانونية المتبادلة", "ar") == {"mla": 1}


def test_find_chinese_substring():
    lexicon = Lexicon.from_dict(TINY)
    assert find(lexicon, "加强刑事司法协助能力", "zh") == {"mla": 1}


def test_single_foreign_word_does_not_match_in_english():
    lexicon = Lexicon.from_dict(TINY)
    assert find(lexicon, "the formation of shock waves") == {}
    assert find(lexicon, "une formation", "fr") == {"training": 1}
    assert find(lexicon, "une training session", "fr") == {"training": 1}  # English travels


def test_infer_themes_scaled_to_one():
    lexicon = Lexicon.from_dict(TINY)
    assert lexicon.infer_themes({"mla": 3, "training": 1}) == {"international_cooperation": 1.0}


def test_unknown_theme_is_rejected():
    with pytest.raises(ValueError, match="unknown theme"):
        Lexicon.from_dict({"concepts": {"x": {"themes": ["nope"], "terms": {}}}})


def test_packaged_lexicon_loads():
    lexicon = Lexicon.load()
    assert len(lexicon.concepts) >= 40
    assert all(t in THEMES for c in lexicon.concepts.values() for t in c.themes)
    counts = find(lexicon, "Mutual legal assistance requests")
    assert any("international_cooperation" in lexicon.concepts[c].themes for c in counts)
