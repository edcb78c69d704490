"""Text representation and pair features of the matching engine.

:class:`TextModel` turns records into three aligned representations:

* ``word``: TF-IDF over stemmed words and word bigrams (Chinese as character
  bigrams), sublinear tf, stop words removed, IDF learnt from the offers.
  Misspelt words of a need are repaired against the fitted vocabulary with a
  character-trigram TF-IDF over *words* (scikit-learn ``char_wb``); this keeps
  the typo tolerance of character n-grams without a character n-gram matrix
  over 100,000 documents, which would not fit in memory;
* ``concept``: TF-IDF over the concepts of the multilingual lexicon, the
  cross-lingual bridge;
* ``themes``: a 15-dimensional theme profile mixing the declared themes with
  the themes inferred from the text's concepts. Inferred themes count less
  than declared ones, and a declared theme the text gives no support to is
  discounted when the text clearly speaks of something else ("the text wins
  when a tag contradicts it").

The structured features (modalities, beneficiaries, budget, window and
genericity) are vectorised over candidate offers (see :meth:`matching.Matcher._features`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from matching._lexicon import Lexicon
from matching._text import STOP_WORDS, cjk_bigrams, is_cjk, normalize, stem, words
from matching.constraints import _window_bounds
from matching.records import BENEFICIARIES, MODALITIES, THEMES

THEME_CODES: tuple[str, ...] = tuple(THEMES)
FEATURE_NAMES: tuple[str, ...] = (
    "word_cosine", "concept_cosine", "theme_cosine", "theme_coverage",
    "modality_overlap", "beneficiary_overlap", "budget_fit", "window_fit", "genericity",
)
NEUTRAL = 0.5  # value of an overlap feature when one side says nothing


def _identity(doc: list[str]) -> list[str]:
    return doc


@dataclass
class Analysis:
    """What the text layers need from one record."""

    terms: list[str]
    concepts: dict[str, int]
    surfaces: dict[str, str]


def record_text(record: Mapping[str, Any], title_weight: int = 1) -> str:
    """Title (repeated ``title_weight`` times, titles being dense) and description."""
    title = str(record.get("title") or "")
    return " . ".join([title] * max(title_weight, 0) + [str(record.get("description") or "")])


def analyse_tokens(tokens: list[str], language: str, lexicon: Lexicon, *, bigrams: bool = True,
                   repair: Mapping[str, str] | None = None) -> Analysis:
    """Stem and find concepts in a text already normalised and split into words.

    ``repair`` maps misspelt tokens to the words they were taken for.
    """
    if repair:
        tokens = [repair.get(t, t) for t in tokens]
    token_stems = [stem(t, language) for t in tokens]
    concepts = lexicon.find(tokens, token_stems, language)
    terms: list[str] = []
    surfaces: dict[str, str] = {}
    previous: str | None = None
    for token, token_stem in zip(tokens, token_stems, strict=True):
        if is_cjk(token):
            terms.extend(cjk_bigrams(token))
            previous = None
            continue
        if token in STOP_WORDS or len(token) < 2:
            previous = None
            continue
        terms.append(token_stem)
        surfaces.setdefault(token_stem, token)
        if bigrams and previous is not None:
            terms.append(previous + " " + token_stem)
        previous = token_stem
    return Analysis(terms, concepts, surfaces)


def theme_profile(declared: Sequence[str], inferred: Mapping[str, float], *,
                  inferred_weight: float, contradicted_weight: float) -> np.ndarray:
    """Unnormalised theme profile of one record.

    Declared themes count 1, or ``contradicted_weight`` when the text has
    theme evidence but none for that tag; inferred themes count
    ``inferred_weight`` times their relative strength.
    """
    vec = np.zeros(len(THEME_CODES), dtype=np.float32)
    for i, theme in enumerate(THEME_CODES):
        if theme in declared:
            vec[i] += 1.0 if (not inferred or inferred.get(theme, 0.0) > 0) else contradicted_weight
        vec[i] += inferred_weight * inferred.get(theme, 0.0)
    return vec


class TextModel:
    """Fitted text layers (see the module docstring).

    Parameters
    ----------
    lexicon : Lexicon
    title_weight, bigrams, min_df, max_df, inferred_weight, contradicted_weight,
    typo_repair : see :class:`matching.Matcher`.
    """

    def __init__(self, lexicon: Lexicon, *, title_weight: int = 2, bigrams: bool = False,
                 min_df: int = 1, max_df: float = 1.0, inferred_weight: float = 0.6,
                 contradicted_weight: float = 0.3, typo_repair: bool = True,
                 concept_norm_floor: float = 10.0) -> None:
        self.lexicon = lexicon
        self.title_weight = title_weight
        self.bigrams = bigrams
        self.min_df = min_df
        self.max_df = max_df
        self.inferred_weight = inferred_weight
        self.contradicted_weight = contradicted_weight
        self.typo_repair = typo_repair
        self.concept_norm_floor = concept_norm_floor

    # -- fitting -----------------------------------------------------------
    def fit(self, records: Sequence[Mapping[str, Any]]) -> TextModel:
        """Learn vocabulary, IDF and the typo-repair dictionary from ``records``."""
        self._fit(self._analyse(records, repair=False), len(records))
        return self

    def fit_transform(self, records: Sequence[Mapping[str, Any]]) -> dict:
        """Fit on ``records`` and represent them, analysing each text once."""
        analyses = self._analyse(records, repair=False)
        self._fit(analyses, len(records))
        return self._represent(records, analyses)

    def _fit(self, analyses: list[Analysis], n_records: int) -> None:
        self.word_ = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=self.min_df,
                                     max_df=self.max_df, dtype=np.float32)
        self.word_.fit([a.terms for a in analyses])
        self.word_names_ = self.word_.get_feature_names_out()
        vocab = self.word_.vocabulary_
        self.surface_ = {}
        for a in analyses:
            for term, surface in a.surfaces.items():
                if term in vocab:
                    self.surface_.setdefault(term, surface)
        self.term_labels_ = np.array(
            [" ".join(self.surface_.get(t, t) for t in name.split(" "))
             for name in self.word_names_], dtype=object)
        self.concept_ids_ = self.lexicon.concept_ids()
        self.concept_index_ = {c: i for i, c in enumerate(self.concept_ids_)}
        counts = self._concept_counts(analyses)
        df = np.bincount(counts.indices, minlength=len(self.concept_ids_))
        n = max(n_records, 1)
        weights = np.array([self.lexicon.concepts[c].weight for c in self.concept_ids_])
        self.concept_idf_ = ((np.log((1 + n) / (1 + df)) + 1.0) * weights).astype(np.float32)
        self._fit_repair(analyses)

    def _fit_repair(self, analyses: list[Analysis]) -> None:
        known = {s for a in analyses for s in a.surfaces.values()}
        known |= {t for key in self.lexicon._raw for t in key}
        self.known_words_ = frozenset(known)
        candidates = sorted(w for w in known if len(w) >= 5 and w.isalpha() and not is_cjk(w))
        self.repair_words_ = np.array(candidates, dtype=object)
        if self.typo_repair and candidates:
            self.repair_char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3),
                                                dtype=np.float32)
            self.repair_matrix_ = self.repair_char_.fit_transform(candidates).T.tocsr()
        else:
            self.repair_char_ = None

    # -- transforming ------------------------------------------------------
    def _analyse(self, records: Sequence[Mapping[str, Any]], *, repair: bool) -> list[Analysis]:
        # Normalised and split once: the typo repair and the analysis both read the words.
        texts = [words(normalize(record_text(r, self.title_weight))) for r in records]
        fixes = self._repairs(texts) if repair else {}
        return [analyse_tokens(t, str(r.get("language") or "en"), self.lexicon,
                               bigrams=self.bigrams, repair=fixes)
                for t, r in zip(texts, records, strict=True)]

    def _repairs(self, texts: list[list[str]], threshold: float = 0.6) -> dict[str, str]:
        """Map unknown words of ``texts`` (normalised words) to the closest known word,
        if close enough."""
        if not self.typo_repair or getattr(self, "repair_char_", None) is None:
            return {}
        unknown = sorted({t for text in texts for t in text
                          if len(t) >= 5 and t.isalpha() and not is_cjk(t)
                          and t not in self.known_words_ and t not in STOP_WORDS})
        if not unknown:
            return {}
        sims = (self.repair_char_.transform(unknown) @ self.repair_matrix_).tocsr()
        fixes: dict[str, str] = {}
        for i, word in enumerate(unknown):
            row = sims.getrow(i)
            if row.nnz == 0:
                continue
            best = row.indices[np.argmax(row.data)]
            if row.data.max() >= threshold:
                fixes[word] = self.repair_words_[best]
        return fixes

    def _concept_counts(self, analyses: list[Analysis]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for i, a in enumerate(analyses):
            for cid, count in a.concepts.items():
                j = self.concept_index_.get(cid) if hasattr(self, "concept_index_") else None
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(count)
        return sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)),
                                 shape=(len(analyses), len(self.concept_ids_)))

    def transform(self, records: Sequence[Mapping[str, Any]], *, repair: bool = False) -> dict:
        """Represent ``records``.

        Returns
        -------
        rep : dict
            ``word`` and ``concept`` (L2-normalised CSR float32), ``themes``
            (L2-normalised dense float32, n x 15), ``breadth`` (number of
            strong themes, int array).
        """
        return self._represent(records, self._analyse(records, repair=repair))

    def _represent(self, records: Sequence[Mapping[str, Any]],
                   analyses: list[Analysis]) -> dict:
        if not analyses:
            return {"modalities": np.zeros(0, dtype=np.int64),
                    "beneficiaries": np.zeros(0, dtype=np.int64),
                    "word": sparse.csr_matrix((0, len(self.word_.vocabulary_)), dtype=np.float32),
                    "concept": sparse.csr_matrix((0, len(self.concept_ids_)), dtype=np.float32),
                    "themes": np.zeros((0, len(THEME_CODES)), dtype=np.float32),
                    "breadth": np.zeros(0, dtype=np.int32), "concepts": []}
        word = self.word_.transform([a.terms for a in analyses])
        counts = self._concept_counts(analyses)
        counts.data = 1.0 + np.log(counts.data)
        concept = _soft_normalize(counts.multiply(self.concept_idf_).tocsr().astype(np.float32),
                                  self.concept_norm_floor)
        themes = np.zeros((len(records), len(THEME_CODES)), dtype=np.float32)
        breadth = np.zeros(len(records), dtype=np.int32)
        for i, (record, a) in enumerate(zip(records, analyses, strict=True)):
            inferred = self.lexicon.infer_themes(a.concepts)
            declared = [t for t in record.get("themes") or [] if t in THEMES]
            themes[i] = theme_profile(declared, inferred, inferred_weight=self.inferred_weight,
                                      contradicted_weight=self.contradicted_weight)
            breadth[i] = len(set(declared) | {t for t, v in inferred.items() if v >= 0.5})
        codes = [self.lexicon.infer_codes(a.concepts) for a in analyses]
        return {"word": word, "concept": concept, "themes": l2_normalize(themes),
                "breadth": breadth, "concepts": [a.concepts for a in analyses],
                "modalities": np.array([_declared_or(r.get("modalities"), c, MOD_BITS)
                                        for r, c in zip(records, codes, strict=True)],
                                       dtype=np.int64),
                "beneficiaries": np.array([_declared_or(r.get("beneficiaries"), c, BEN_BITS)
                                           for r, c in zip(records, codes, strict=True)],
                                          dtype=np.int64)}


def _declared_or(declared: Any, inferred: set[str], table: Mapping[str, int]) -> int:
    """Bitset of the declared codes, or of the codes inferred from the text when
    none are declared (an empty list means "not said", not "none")."""
    bits = code_bits(declared, table)
    return bits if bits else code_bits(sorted(inferred), table)


def _soft_normalize(matrix: sparse.csr_matrix, floor: float) -> sparse.csr_matrix:
    """Divide each row by ``max(norm, floor)``.

    Plain L2 normalisation gives a text with one weak, generic concept the
    same unit vector as a text full of specific ones, so two texts sharing
    only "research" would look identical to the concept layer. The floor
    keeps weak concept evidence weak.
    """
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = 1.0 / np.maximum(norms, max(floor, 1e-12))
    return sparse.diags(scale.astype(np.float32)) @ matrix


# -- structured features ---------------------------------------------------
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.float32)
MOD_BITS = {c: 1 << i for i, c in enumerate(MODALITIES)}
BEN_BITS = {c: 1 << i for i, c in enumerate(BENEFICIARIES)}


def code_bits(values: Any, table: Mapping[str, int]) -> int:
    """Bitset of the known codes in a list."""
    out = 0
    for v in values or []:
        out |= table.get(v, 0)
    return out


def structured_arrays(records: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Per-offer arrays of the structured features (codes as bitsets, budget, window)."""
    budget = np.array([float(r["budget_usd"]) if isinstance(r.get("budget_usd"), (int, float))
                       and not isinstance(r.get("budget_usd"), bool) else np.nan
                       for r in records], dtype=np.float64)
    bounds = np.array([_window_bounds(r) for r in records], dtype=np.int64).reshape(-1, 3)
    return {
        "modalities": np.array([code_bits(r.get("modalities"), MOD_BITS) for r in records],
                               dtype=np.int64),
        "beneficiaries": np.array([code_bits(r.get("beneficiaries"), BEN_BITS)
                                   for r in records], dtype=np.int64),
        "budget": budget,
        "has_window": bounds[:, 0].astype(bool),
        "start": bounds[:, 1],
        "end": bounds[:, 2],
    }


def _overlap(need_bits: int | np.ndarray, offer_bits: np.ndarray) -> np.ndarray:
    """Share of the need's codes the offer covers; neutral when a side is empty.

    ``need_bits`` is one need's bitset, or one per offer (pairs of a batch).
    """
    need_bits = np.broadcast_to(np.asarray(need_bits, dtype=np.int64), offer_bits.shape)
    covered = _POPCOUNT[offer_bits & need_bits] / np.maximum(_POPCOUNT[need_bits], 1)
    return np.where((need_bits == 0) | (offer_bits == 0), NEUTRAL, covered).astype(np.float32)


def budget_fit(need_budget: float | None | np.ndarray, offer_budget: np.ndarray) -> np.ndarray:
    """How well offer budgets cover the need's: 1 from half of it up, 0.8 at a
    quarter, falling (log scale) to 0 at 2%; 0.8 when either side is unknown.

    ``need_budget`` is one need's budget (None if unknown), or one per offer
    (NaN if unknown). A quarter is the line below which coordinators call an
    offer "far too small" (DATA_FORMAT.md grading); such offers are weaker,
    never excluded.
    """
    need = np.broadcast_to(np.asarray(np.nan if need_budget is None else need_budget,
                                      dtype=np.float64), offer_budget.shape)
    out = np.full(len(offer_budget), 0.8, dtype=np.float32)
    known = ~np.isnan(offer_budget) & (need > 0)
    ratio = offer_budget[known] / need[known]
    with np.errstate(divide="ignore"):
        low = 0.8 * np.clip(np.log(np.maximum(ratio, 1e-9) / 0.02) / math.log(12.5), 0, 1)
    mid = 0.8 + 0.2 * (ratio - 0.25) / 0.25
    out[known] = np.where(ratio >= 0.5, 1.0, np.where(ratio >= 0.25, mid, low))
    return out


def need_arrays(needs: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Per-need arrays of the structured features: budget (NaN if unknown) and
    window bounds, to be indexed by the need of each pair."""
    budget = np.array([np.nan if (b := need_budget(n)) is None else b for n in needs],
                      dtype=np.float64)
    bounds = np.array([_window_bounds(n) for n in needs], dtype=np.int64).reshape(-1, 3)
    return {"budget": budget, "has_window": bounds[:, 0].astype(bool),
            "start": bounds[:, 1], "end": bounds[:, 2]}


def window_fit(need_side: Mapping[str, np.ndarray], offer_side: Mapping[str, np.ndarray],
               owner: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Share of the need's window that the offer's window covers (0.8 if unknown),
    for each pair (need ``owner[p]`` of ``need_side``, offer ``rows[p]`` of ``offer_side``)."""
    has, start, end = (need_side[k][owner] for k in ("has_window", "start", "end"))
    out = np.full(len(rows), 0.8, dtype=np.float32)
    both = has & offer_side["has_window"][rows]
    lo = np.maximum(offer_side["start"][rows], start)
    hi = np.minimum(offer_side["end"][rows], end)
    # A need open at one end has no length to share: any overlap counts fully.
    bounded = (start > -(2**31)) & (end < 2**31 - 1)
    share = np.where(bounded, np.clip((hi - lo + 1) / (end - start + 1), 0, 1),
                     (hi >= lo).astype(np.float64))
    out[both] = share[both]
    return out


def genericity(breadth: np.ndarray) -> np.ndarray:
    """0 for offers on up to three themes, rising to 1 at seven or more."""
    return np.clip((breadth.astype(np.float32) - 3.0) / 4.0, 0.0, 1.0)


def need_budget(need: Mapping[str, Any]) -> float | None:
    """The need's budget, or None."""
    value = need.get("budget_usd")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
