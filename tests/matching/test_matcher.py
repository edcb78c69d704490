"""The Matcher estimator: API conventions, ranking, explanations, persistence."""

from __future__ import annotations

import joblib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import matching
from matching import Candidate, Matcher, ModelVersionError, Reason, RecordError, is_feasible
from tests.matching.conftest import TINY_LEXICON


@pytest.fixture
def fitted(corpus):
    return Matcher(lexicon=TINY_LEXICON).fit(corpus)


def top(matcher, need, k=10):
    return [c.offer_id for c in matcher.rank([need], top_k=k)[need["id"]]]


# -- estimator conventions ---------------------------------------------------
def test_get_params_and_clone():
    matcher = Matcher(title_weight=3, weights={"genericity": -0.5})
    params = matcher.get_params()
    assert params["title_weight"] == 3 and params["weights"] == {"genericity": -0.5}
    twin = clone(matcher)
    assert twin is not matcher and twin.get_params() == params


def test_hyperparameters_are_keyword_only():
    with pytest.raises(TypeError):
        Matcher(None)  # type: ignore[misc]


def test_init_stores_params_unvalidated_and_fit_validates(corpus):
    matcher = Matcher(n_candidates=0)
    assert matcher.n_candidates == 0
    with pytest.raises(ValueError, match="n_candidates"):
        matcher.fit(corpus)
    with pytest.raises(ValueError, match="unknown feature weight"):
        Matcher(weights={"nonsense": 1.0}).fit(corpus)


@pytest.mark.parametrize("method, args", [("rank", ([],)), ("remove_offers", (["x"],)),
                                          ("update_offers", ([],))])
def test_not_fitted(method, args):
    with pytest.raises(NotFittedError):
        getattr(Matcher(), method)(*args)


def test_explain_not_fitted(make_need, make_offer):
    with pytest.raises(NotFittedError):
        Matcher().explain(make_need(), make_offer())


def test_fit_rejects_bad_record_naming_id_and_field(corpus):
    corpus[2]["delivery"] = ["by_pigeon"]
    with pytest.raises(RecordError) as info:
        Matcher(lexicon=TINY_LEXICON).fit(corpus)
    assert info.value.problems[0][:2] == ("O-RANSOM", "delivery")
    assert "O-RANSOM" in str(info.value) and "delivery" in str(info.value)


def test_fitted_attributes(fitted, corpus):
    assert fitted.offer_ids_ == [o["id"] for o in corpus]
    assert fitted.feature_names_ == list(matching.features.FEATURE_NAMES)


def test_offer_record_gives_back_the_fitted_record(fitted, corpus):
    assert [fitted.offer_record(o["id"]) for o in corpus] == corpus


def test_kept_offers_leave_the_garbage_collectors_walks(fitted):
    """A full collection walks every tracked list and dict: a fitted engine's
    offers (800,000 of them at 100,000 offers) must not be among them."""
    import gc

    gc.collect()
    gc.collect()  # tuples are untracked by the first pass, the dicts holding them by the next
    assert not any(gc.is_tracked(record) for record in fitted.offers_)


# -- ranking -------------------------------------------------------------------
def test_rank_finds_the_topical_offer(fitted, make_need):
    need = make_need(title="Ransomware attacks on hospitals",
                     description="Our police need to investigate ransomware incidents.")
    ranked = fitted.rank([need], top_k=3)["N1"]
    assert ranked[0].offer_id == "O-RANSOM"
    assert all(isinstance(c, Candidate) for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert set(ranked[0].features) == set(fitted.feature_names_)


def test_rank_top_k_and_validation(fitted, make_need):
    need = make_need(description="ransomware mutual legal assistance awareness forensics")
    assert len(fitted.rank([need], top_k=2)["N1"]) == 2
    with pytest.raises(ValueError, match="top_k"):
        fitted.rank([need], top_k=0)
    with pytest.raises(RecordError, match="working_languages"):
        fitted.rank([make_need(working_languages=[])])


def test_rank_excludes_infeasible_offers(make_need, make_offer):
    offers = [
        make_offer(id="A", title="Ransomware course", description="ransomware training",
                   working_languages=["en"]),
        make_offer(id="B", title="Ransomware course", description="ransomware training",
                   working_languages=["es"]),
    ]
    need = make_need(title="Ransomware", description="ransomware training",
                     working_languages=["es"])
    assert top(Matcher(lexicon=TINY_LEXICON).fit(offers), need) == ["B"]


def test_deterministic(corpus, make_need):
    need = make_need(description="police training on forensics and ransomware and awareness")
    first = Matcher(lexicon=TINY_LEXICON).fit(corpus).rank([need])
    second = Matcher(lexicon=TINY_LEXICON).fit(list(reversed(corpus))).rank([need])
    assert [(c.offer_id, c.score) for c in first["N1"]] == \
        [(c.offer_id, c.score) for c in second["N1"]]


WORDS = ["ransomware", "forensics", "mutual", "legal", "assistance", "awareness", "police",
         "training", "fraud", "children", "evidence", "laboratory"]


@st.composite
def collections(draw):
    def record(kind, i):
        rec = {"id": f"{kind}{i}", "title": " ".join(draw(st.lists(st.sampled_from(WORDS),
                                                                    min_size=1, max_size=3))),
               "description": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1,
                                                     max_size=8))),
               "language": "en",
               "working_languages": draw(st.lists(st.sampled_from(["en", "fr", "es"]),
                                                  min_size=1, max_size=2, unique=True)),
               "delivery": draw(st.lists(st.sampled_from(["in_person", "remote"]),
                                         max_size=2, unique=True))}
        start = draw(st.sampled_from([None, "2025-01", "2026-01"]))
        if start:
            rec["start"] = start
            rec["end"] = draw(st.sampled_from(["2026-01", "2027-01"]))
        if kind == "O":
            rec["provider"] = "p"
            rec["regions"] = draw(st.lists(st.sampled_from(["africa", "asia", "europe"]),
                                           max_size=2, unique=True))
            rec["excluded_countries"] = draw(st.lists(st.sampled_from(["KEN", "GEO"]),
                                                      max_size=1))
        else:
            rec["country"] = draw(st.sampled_from(["KEN", "GEO", "FRA", "BRA"]))
        return rec
    offers = [record("O", i) for i in range(draw(st.integers(1, 8)))]
    needs = [record("N", i) for i in range(draw(st.integers(1, 4)))]
    return needs, offers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(collections())
def test_rank_never_returns_a_violating_offer(data):
    needs, offers = data
    by_id = {o["id"]: o for o in offers}
    matcher = Matcher(lexicon=TINY_LEXICON).fit(offers)
    ranking = matcher.rank(needs, top_k=10)
    for need in needs:
        for cand in ranking[need["id"]]:
            assert is_feasible(need, by_id[cand.offer_id])
        for offer in offers:
            assert matcher.explain(need, offer["id"]).eligible is is_feasible(need, offer)


# -- explanations ---------------------------------------------------------------
def test_explain_excluded_pair(fitted, make_need):
    need = make_need(working_languages=["es"], title="Ransomware",
                     description="ransomware investigations")
    explanation = fitted.explain(need, "O-RANSOM")
    assert explanation.eligible is False
    assert [v.code for v in explanation.violations] == ["language"]
    assert explanation.reasons[0] == Reason(
        "excluded", {}, "Excluded: no shared working language (need: es; offer: en)")
    assert explanation.reasons[0].params["constraint"] == "language"
    assert explanation.score > 0


def test_explain_eligible_pair_with_offer_record(fitted, make_need, make_offer):
    need = make_need(title="MLA requests", themes=["international_cooperation"],
                     description="We need mutual legal assistance training.",
                     budget_usd=300000, start="2025-06", end="2026-12")
    offer = make_offer(id="X", title="MLA course", description="mutual legal assistance",
                       themes=["international_cooperation", "electronic_evidence"],
                       budget_usd=20000, start="2025-01", end="2026-06")
    explanation = fitted.explain(need, offer)
    assert explanation.eligible and explanation.violations == ()
    texts = [r.text for r in explanation.reasons]
    assert "Shared themes: International cooperation" in texts
    assert "Offer budget USD 20,000 is far below the need's USD 300,000" in texts
    assert "Windows overlap from 2025-06 to 2026-06" in texts
    assert any(t.startswith("Similar terms: mutual legal assistance") for t in texts)
    codes = {r.code for r in explanation.reasons}
    assert {"shared_themes", "budget_low", "windows_overlap", "similar_terms"} <= codes


def test_explain_unknown_offer_id(fitted, make_need):
    with pytest.raises(KeyError, match="nope"):
        fitted.explain(make_need(), "nope")


def test_budget_far_too_small_ranks_lower_but_stays(make_need, make_offer):
    text = {"title": "Forensic laboratory", "description": "digital forensics laboratory"}
    offers = [make_offer(id="SMALL", budget_usd=10000, **text),
              make_offer(id="BIG", budget_usd=400000, **text)]
    need = make_need(budget_usd=400000, **text)
    assert top(Matcher(lexicon=TINY_LEXICON).fit(offers), need) == ["BIG", "SMALL"]


def test_generic_offer_ranks_below_specific(make_need, make_offer):
    specific = make_offer(id="SPEC", title="Ransomware investigation course",
                          description="Ransomware investigation for police.",
                          themes=["cyber_dependent_crime"])
    generic = make_offer(
        id="GEN", title="Capacity-building facility",
        description="Support on ransomware, fraud, awareness campaign, victim support, "
                    "digital forensics, mutual legal assistance, national strategy.",
        themes=["cyber_dependent_crime", "online_fraud", "prevention", "victims",
                "digital_forensics", "international_cooperation", "institutional_capacity"])
    need = make_need(title="Ransomware", description="We need help investigating ransomware.")
    matcher = Matcher(lexicon=TINY_LEXICON).fit([generic, specific])
    ranked = matcher.rank([need])["N1"]
    assert [c.offer_id for c in ranked] == ["SPEC", "GEN"]
    assert ranked[1].features["genericity"] > 0 == ranked[0].features["genericity"]


def test_text_wins_over_contradicting_tag(make_need, make_offer):
    # The offer is tagged child protection but its text is about fraud.
    mistagged = make_offer(id="TAG", title="Course", themes=["child_protection"],
                           description="Business email compromise investigations (BEC).")
    other = make_offer(id="CP", title="Course", themes=["child_protection"],
                       description="Child sexual abuse material (CSAM) investigations.")
    need = make_need(title="Help", description="Investigations of CSAM.",
                     themes=["child_protection"])
    matcher = Matcher(lexicon=TINY_LEXICON).fit([mistagged, other])
    ranked = matcher.rank([need])["N1"]
    assert ranked[0].offer_id == "CP"
    features = {c.offer_id: c.features for c in ranked}
    assert features["TAG"]["theme_cosine"] < features["CP"]["theme_cosine"]


# -- text: cross-lingual, Chinese, acronyms, typos ----------------------------------
def test_arabic_need_finds_english_mla_offer(fitted, make_need):
    need = make_need(language="ar", title="طلب دعم",
                     description="نحتاج إلى تدريب على المساعدة القانونية المتبادلة في القضايا.")
    assert top(fitted, need)[0] == "O-MLA"


@pytest.mark.parametrize("language, text", [
    ("fr", "Renforcer l'entraide judiciaire pour nos magistrats."),
    ("ru", "Нужна взаимная правовая помощь по делам."),
    ("pt", "Formação em assistência jurídica mútua."),
    ("es", "Capacitación en asistencia judicial recíproca."),
])
def test_other_languages_find_mla(fitted, make_need, language, text):
    need = make_need(language=language, title=text, description=text)
    assert top(fitted, need)[0] == "O-MLA"


def test_chinese_need_substring_matching(fitted, make_need):
    need = make_need(language="zh", title="打击儿童性虐待材料",
                     description="我们需要调查儿童性虐待材料的培训。")
    assert top(fitted, need)[0] == "O-CSAM"


def test_english_need_finds_chinese_offer(make_need, make_offer, corpus):
    chinese = make_offer(id="O-ZH", language="zh", title="数字取证实验室",
                         description="为执法机构提供数字取证培训和设备。")
    matcher = Matcher(lexicon=TINY_LEXICON).fit([chinese] + corpus[:4])
    need = make_need(title="Digital forensics", description="We need digital forensics help.")
    assert top(matcher, need)[0] == "O-ZH"


@pytest.mark.parametrize("text, expected", [("BEC cases", "O-BEC"), ("CSAM", "O-CSAM"),
                                            ("MLA", "O-MLA")])
def test_acronyms(fitted, make_need, text, expected):
    need = make_need(title=text, description=f"Support needed: {text}.")
    assert top(fitted, need)[0] == expected


def test_typo_is_repaired(fitted, make_need):
    need = make_need(title="Ransomwre", description="Investigating ransomwre attaks.")
    ranked = fitted.rank([need])["N1"]
    assert ranked and ranked[0].offer_id == "O-RANSOM"


def test_mixed_language_text(fitted, make_need):
    need = make_need(language="es", title="Apoyo",
                     description="Necesitamos apoyo contra el ransomware en hospitales.")
    assert top(fitted, need)[0] == "O-RANSOM"


def test_text_only_ignores_constraints(fitted, make_need):
    need = make_need(working_languages=["xx"], title="Ransomware", description="ransomware")
    assert fitted.rank([need])["N1"] == []
    ranked = fitted.rank([need], text_only=True)["N1"]
    assert ranked[0].offer_id == "O-RANSOM"
    assert set(ranked[0].features) == {"word_cosine", "concept_cosine"}


# -- changing the collection ---------------------------------------------------------
def test_update_and_remove_offers(fitted, make_need, make_offer):
    need = make_need(title="Victim support", description="victim support services")
    new = make_offer(id="O-VICT", title="Victim support", description="victim support services")
    fitted.update_offers([new])
    assert top(fitted, need)[0] == "O-VICT"
    # Editing an offer replaces it: the edited text no longer matches.
    fitted.update_offers([dict(new, title="Ransomware", description="ransomware course")])
    assert fitted.offer_ids_.count("O-VICT") == 1
    assert top(fitted, need)[:1] != ["O-VICT"]
    fitted.remove_offers(["O-VICT", "O-MLA"])
    assert "O-VICT" not in fitted.offer_ids_ and "O-MLA" not in fitted.offer_ids_
    assert "O-MLA" not in top(fitted, make_need(description="mutual legal assistance"))
    with pytest.raises(KeyError, match="missing"):
        fitted.remove_offers(["missing"])


def test_update_matches_refit(corpus, make_need):
    need = make_need(title="Forensic laboratory", description="digital forensics training")
    incremental = Matcher(lexicon=TINY_LEXICON).fit(corpus)
    incremental.remove_offers(["O-LAB"])
    incremental.update_offers([corpus[4]])
    full = Matcher(lexicon=TINY_LEXICON).fit(corpus)
    assert top(incremental, need) == top(full, need)


# -- persistence -------------------------------------------------------------------
def test_save_and_load(fitted, make_need, tmp_path):
    need = make_need(description="ransomware forensics")
    path = tmp_path / "model.joblib"
    fitted.save(path)
    loaded = Matcher.load(path)
    assert loaded.rank([need]) == fitted.rank([need])


def test_load_other_version_fails_clearly(fitted, tmp_path):
    path = tmp_path / "model.joblib"
    fitted.save(path)
    header = joblib.load(path)
    header["version"] = "0.0.1"
    joblib.dump(header, path)
    with pytest.raises(ModelVersionError, match=r"saved by matching 0\.0\.1.*this is matching"):
        Matcher.load(path)


def test_load_rejects_foreign_file(tmp_path):
    path = tmp_path / "other.joblib"
    joblib.dump([1, 2, 3], path)
    with pytest.raises(ModelVersionError, match="not a saved matching model"):
        Matcher.load(path)


def test_reranker_replaces_linear_score(corpus, make_need):
    class Fake:
        def decision_function(self, features):
            return -features[:, 0]  # prefer the least similar text

    need = make_need(title="Ransomware", description="ransomware investigations")
    ranked = Matcher(lexicon=TINY_LEXICON, reranker=Fake()).fit(corpus).rank([need])["N1"]
    assert ranked[-1].offer_id == "O-RANSOM"
    with pytest.raises(ValueError, match="reranker"):
        Matcher(reranker=object()).fit(corpus)


def test_modalities_inferred_from_text_when_not_declared(make_need, make_offer):
    lexicon = {"version": 1, "concepts": {
        "training": {"themes": [], "codes": ["training"], "terms": {"en": ["training"]}},
        "ransomware": {"themes": ["cyber_dependent_crime"], "terms": {"en": ["ransomware"]}},
    }}
    offers = [make_offer(id="T", title="Ransomware", description="ransomware",
                         modalities=["training"]),
              make_offer(id="E", title="Ransomware", description="ransomware",
                         modalities=["equipment"])]
    need = make_need(title="Ransomware training", description="ransomware training",
                     modalities=[])
    ranked = Matcher(lexicon=lexicon).fit(offers).rank([need])["N1"]
    features = {c.offer_id: c.features["modality_overlap"] for c in ranked}
    assert features == {"T": 1.0, "E": 0.0}
    assert ranked[0].offer_id == "T"


@pytest.mark.parametrize("language, title, description, expected", [
    ("ar", "طلب مساعدة", "نحتاج إلى تدريب على طلبات المساعدة القانونية المتبادلة.", "O-MLA"),
    ("zh", "勒索软件", "我国警方需要关于勒索软件攻击调查的培训。", "O-RANSOM"),
    ("ru", "Помощь", "Нужна помощь в расследовании программ-вымогателей.", "O-RANSOM"),
    ("es", "Apoyo", "Necesitamos laboratorio de informática forense.", "O-LAB"),
    ("fr", "Appui", "Renforcer l'entraide judiciaire en matière pénale.", "O-MLA"),
    ("pt", "Apoio", "Investigação de material de abuso sexual infantil.", "O-CSAM"),
])
def test_packaged_lexicon_bridges_languages(corpus, make_need, language, title,
                                            description, expected):
    need = make_need(language=language, title=title, description=description)
    assert top(Matcher().fit(corpus), need)[0] == expected


@pytest.mark.parametrize("text", ["24/7 PoC", "Our 24/7 point of contact needs training",
                                  "Punto de contacto 24/7"])
def test_packaged_lexicon_24_7(corpus, make_need, text):
    need = make_need(language="es" if "Punto" in text else "en", title=text, description=text)
    assert top(Matcher().fit(corpus), need)[0] == "O-247"


def test_reasons_do_not_show_years_or_currencies_as_similar_terms():
    from matching import Matcher

    def record(rid, title, **extra):
        base = {"id": rid, "title": title, "language": "en", "working_languages": ["en"],
                "description": f"{title}. From 2025 to 2026, USD 40,000, ransomware response training."}
        base.update(extra)
        return base

    offers = [record("O1", "Ransomware investigation course", provider="P"),
              record("O2", "Forensic laboratory equipment", provider="P")]
    need = record("N1", "Ransomware attacks on hospitals", country="KEN")
    ranked = Matcher().fit(offers).rank([need], top_k=2)["N1"]
    for candidate in ranked:
        for reason in candidate.reasons:
            if reason.code == "similar_terms":
                assert not {"2025", "2026", "usd", "000"} & set(reason.params["terms"])


def test_score_offer_agrees_with_explain_for_every_need(fitted, make_need):
    needs = [
        make_need(id="N-ES", working_languages=["es"], title="Ransomware",
                  description="ransomware investigations"),
        make_need(id="N-MLA", title="MLA requests", themes=["international_cooperation"],
                  description="We need mutual legal assistance training."),
        make_need(id="N-FOR", title="Forensic laboratory", description="digital forensics lab",
                  start="2025-06", end="2026-12"),
    ]
    for offer_id in fitted.offer_ids_:
        eligible, scores = fitted.score_offer(needs, offer_id)
        for need, ok, score in zip(needs, eligible, scores, strict=True):
            explanation = fitted.explain(need, offer_id)
            assert bool(ok) == explanation.eligible, (need["id"], offer_id)
            assert score == pytest.approx(explanation.score, abs=1e-6)
    with pytest.raises(KeyError):
        fitted.score_offer(needs, "NOT-FITTED")


def test_ranking_many_batches_pauses_the_collector_and_restores_it(corpus, make_need):
    """The cyclic collector is paused while batches are ranked (it walked the
    whole heap under the interpreter lock), and left as it was found."""
    import gc

    matcher = Matcher(lexicon=TINY_LEXICON, batch_size=1, n_jobs=2).fit(corpus)
    needs = [make_need(id=f"N{i}", title="ransomware", description="ransomware") for i in range(3)]
    seen = []
    rank_batch = matcher._rank_batch
    matcher._rank_batch = lambda *args: seen.append(gc.isenabled()) or rank_batch(*args)
    assert gc.isenabled()
    ranked = matcher.rank(needs)
    assert seen == [False, False, False] and gc.isenabled()
    assert ranked == Matcher(lexicon=TINY_LEXICON).fit(corpus).rank(needs)
    gc.disable()
    try:
        matcher.rank(needs)
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()


def test_overlapping_rankings_share_one_pause_of_the_collector():
    """Two threads' rankings overlap: the collector stays off until the last
    ends, then is on again, whichever order they end in."""
    import gc

    from matching.matcher import _collector_paused

    first, second = _collector_paused(), _collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
