"""The matching estimator: rank fitted offers for needs, and explain pairs.

:class:`Matcher` follows the scikit-learn estimator conventions (keyword-only
hyperparameters stored unchanged, validation in ``fit``, fitted attributes
ending in ``_``) and is queried like ``NearestNeighbors``: fit it on the offers,
then ask it for the best offers of each need.

Ranking a need takes three steps:

1. *candidates*: one sparse product against the offers' word and concept
   TF-IDF matrices scores only the offers that share a term or a concept with
   the need;
2. *hard constraints*: a vectorised mask (:class:`~matching.constraints.FeasibilityIndex`)
   drops every candidate the need may not receive;
3. *scoring*: the ``n_candidates`` best remaining offers by text get the full
   feature vector (:data:`~matching.features.FEATURE_NAMES`) and a linear
   score, or the score of a plugged-in re-ranker, and the best ``top_k`` are
   returned with their reasons.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching._lexicon import Lexicon
from matching._version import __version__
from matching.constraints import (
    _OPEN_END,
    _OPEN_START,
    FeasibilityIndex,
    Violation,
    violations,
)
from matching.features import (
    FEATURE_NAMES,
    THEME_CODES,
    TextModel,
    _overlap,
    budget_fit,
    genericity,
    need_arrays,
    structured_arrays,
    window_fit,
)
from matching.records import BENEFICIARIES, MODALITIES, THEMES, validate_records

__all__ = ["Candidate", "Explanation", "Matcher", "ModelVersionError", "Reason",
           "DEFAULT_WEIGHTS"]

#: Collections at least this large drop very common terms from the candidate
#: search (see ``candidate_max_df``); smaller ones are searched exhaustively.
PRUNE_MIN_OFFERS = 20_000
#: With pruning, this many times ``n_candidates`` offers are rescored exactly.
POOL_FACTOR = 2

#: Default linear weights of the features. Text similarity leads; themes,
#: kinds of help and beneficiaries refine; budget far below the need and
#: generic catalogue offers are pushed down, never excluded.
DEFAULT_WEIGHTS: dict[str, float] = {
    "word_cosine": 1.0,
    "concept_cosine": 0.6,
    "theme_cosine": 0.5,
    "theme_coverage": 0.2,
    "modality_overlap": 0.1,
    "beneficiary_overlap": 0.15,
    "budget_fit": 0.3,
    "window_fit": 0.05,
    "genericity": -0.3,
}


@dataclass(frozen=True)
class Reason:
    """One reason a pair was scored as it was.

    Attributes
    ----------
    code : str
        Stable identifier (``shared_themes``, ``similar_terms``, ``budget_low``,
        ``windows_overlap``, ``excluded``...), for translation by the web UI.
    params : dict
        The values the sentence is built from.
    text : str
        The English sentence for people.
    """

    code: str
    params: dict = field(compare=False)
    text: str


@dataclass(frozen=True)
class Candidate:
    """One ranked offer for a need."""

    offer_id: str
    score: float
    reasons: tuple[Reason, ...]
    features: dict[str, float] = field(compare=False)


@dataclass(frozen=True)
class Explanation:
    """Why a need and an offer match or do not."""

    need_id: str
    offer_id: str
    eligible: bool
    score: float
    reasons: tuple[Reason, ...]
    violations: tuple[Violation, ...]
    features: dict[str, float] = field(compare=False)


class ModelVersionError(ValueError):
    """A saved model cannot be loaded by this version of the library."""


class Matcher(BaseEstimator):
    """Rank donor offers for capacity-building needs.

    Parameters
    ----------
    lexicon : str, path, dict or None, default=None
        The multilingual concept lexicon: a path to a JSON file, an already
        parsed document, or None for the packaged ``matching/data/lexicon.json``.
    weights : dict or None, default=None
        Feature name -> linear weight, overriding :data:`DEFAULT_WEIGHTS`
        for the names given.
    title_weight : int, default=2
        How many times the title is counted with the description; titles are
        short and dense, so they deserve more than their length.
    bigrams : bool, default=False
        Add stemmed word bigrams to the word TF-IDF (off: on the dev set and on
        Cranfield they add noise, and they double the size of the matrix).
    min_df : int, default=1
        Minimum document frequency of a word term.
    max_df : float, default=1.0
        Maximum document frequency (share) of a word term.
    inferred_weight : float, default=0.6
        Weight of themes inferred from the text relative to declared ones.
    contradicted_weight : float, default=0.3
        Weight of a declared theme the text gives no support to while it
        speaks of other themes.
    typo_repair : bool, default=True
        Repair misspelt words of needs using character trigrams.
    concept_norm_floor : float, default=10.0
        Concept vectors are divided by ``max(norm, concept_norm_floor)``
        rather than by their norm, so that a text whose only concepts are one
        or two generic ones ("study", "coordination") does not look as
        conceptually close as a text full of specific ones. Domain texts have
        norms well above the floor (about 9 to 17 on the dev set).
    n_candidates : int, default=100
        How many feasible offers, best by text, get the full feature vector.
    candidate_max_df : float, default=0.05
        In large collections (at least ``PRUNE_MIN_OFFERS`` = 20,000 offers),
        terms and concepts found in more than this share of the offers are
        left out when looking for candidates: they cost most of the sparse
        product and decide little. The cosines of the retained candidates are
        then computed exactly, with every term, for ``POOL_FACTOR`` (2) times
        ``n_candidates`` offers.
    batch_size : int, default=128
        Needs scored per sparse product; bounds memory.
    n_jobs : int or None, default=None
        Threads ranking batches of needs in parallel (None means 1).
    reranker : estimator or None, default=None
        A fitted classifier over the feature vector (columns in the order of
        ``feature_names_``); its ``decision_function`` (or positive-class
        ``predict_proba``) replaces the linear score.

    Attributes
    ----------
    offer_ids_ : list of str
        Ids of the fitted offers, in row order.
    offers_ : list of dict
        The fitted offers' records, in row order, their lists stored as tuples
        (see :func:`_kept`); :meth:`offer_record` gives one back with lists.
    feature_names_ : list of str
        Names of the features of :attr:`Candidate.features`.
    lexicon_ : Lexicon
        The loaded lexicon.
    text_model_ : TextModel
        The fitted text layers.
    weights_ : dict
        The linear weights in use.
    """

    def __init__(self, *, lexicon: Any = None, weights: Mapping[str, float] | None = None,
                 title_weight: int = 2, bigrams: bool = False, min_df: int = 1,
                 max_df: float = 1.0, inferred_weight: float = 0.6,
                 contradicted_weight: float = 0.3, typo_repair: bool = True,
                 concept_norm_floor: float = 10.0, n_candidates: int = 100,
                 candidate_max_df: float = 0.05,
                 batch_size: int = 128, n_jobs: int | None = None,
                 reranker: Any = None) -> None:
        self.lexicon = lexicon
        self.weights = weights
        self.title_weight = title_weight
        self.bigrams = bigrams
        self.min_df = min_df
        self.max_df = max_df
        self.inferred_weight = inferred_weight
        self.contradicted_weight = contradicted_weight
        self.typo_repair = typo_repair
        self.concept_norm_floor = concept_norm_floor
        self.n_candidates = n_candidates
        self.candidate_max_df = candidate_max_df
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.reranker = reranker

    # -- fitting -------------------------------------------------------------
    def _check_params(self) -> None:
        weights = dict(DEFAULT_WEIGHTS)
        unknown = set(self.weights or {}) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"unknown feature weight(s): {sorted(unknown)}; "
                             f"known: {', '.join(FEATURE_NAMES)}")
        weights.update({k: float(v) for k, v in (self.weights or {}).items()})
        self.weights_ = weights
        if not float(self.concept_norm_floor) >= 0:
            raise ValueError(f"concept_norm_floor must be >= 0, got {self.concept_norm_floor!r}")
        if not 0 < float(self.candidate_max_df) <= 1:
            raise ValueError(f"candidate_max_df must be in (0, 1], got {self.candidate_max_df!r}")
        if self.n_jobs is not None and (not isinstance(self.n_jobs, int) or self.n_jobs < 1):
            raise ValueError(f"n_jobs must be None or a positive integer, got {self.n_jobs!r}")
        for name in ("n_candidates", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.title_weight, int) or self.title_weight < 0:
            raise ValueError(f"title_weight must be a non-negative integer, "
                             f"got {self.title_weight!r}")
        if self.reranker is not None and not (hasattr(self.reranker, "decision_function")
                                              or hasattr(self.reranker, "predict_proba")):
            raise ValueError("reranker must have decision_function or predict_proba")

    def _load_lexicon(self) -> Lexicon:
        if self.lexicon is None or isinstance(self.lexicon, (str, Path)):
            return Lexicon.load(self.lexicon)
        if isinstance(self.lexicon, Lexicon):
            return self.lexicon
        return Lexicon.from_dict(self.lexicon)

    def fit(self, offers: Sequence[Mapping[str, Any]], y: None = None) -> Matcher:
        """Fit the engine on a collection of offers.

        Parameters
        ----------
        offers : list of dict
            Offer records in the interchange format; they are validated.
        y : None
            Ignored.

        Returns
        -------
        self : Matcher

        Raises
        ------
        matching.RecordError
            If an offer is invalid (the error names record and field).
        """
        self._check_params()
        offers = list(offers)
        validate_records(offers, "offer")
        if not offers:
            raise ValueError("fit needs at least one offer")
        self.lexicon_ = self._load_lexicon()
        self.text_model_ = TextModel(
            self.lexicon_, title_weight=self.title_weight, bigrams=self.bigrams,
            min_df=self.min_df, max_df=self.max_df, inferred_weight=self.inferred_weight,
            contradicted_weight=self.contradicted_weight, typo_repair=self.typo_repair,
            concept_norm_floor=self.concept_norm_floor,
        )
        rep = self.text_model_.fit_transform(offers)
        # Which vocabulary terms may be shown as reasons, decided once per term.
        self._shown_terms = np.array([_telling(t) for t in self.text_model_.term_labels_],
                                     dtype=bool)
        self.feature_names_ = list(FEATURE_NAMES)
        self.offers_: list[dict] = []
        self.offer_ids_: list[str] = []
        self.feasibility_ = FeasibilityIndex().fit([])
        empty = self.text_model_.transform([])
        self._word, self._concept = empty["word"], empty["concept"]
        self._themes, self._breadth = empty["themes"], empty["breadth"]
        self._struct = structured_arrays([])
        self._append(offers, rep)
        return self

    def _append(self, offers: list[Mapping[str, Any]], rep: dict | None = None) -> None:
        if rep is None:
            rep = self.text_model_.transform(offers)
        self._word = sparse.vstack([self._word, rep["word"]], format="csr")
        self._concept = sparse.vstack([self._concept, rep["concept"]], format="csr")
        self._themes = np.vstack([self._themes, rep["themes"]])
        self._breadth = np.concatenate([self._breadth, rep["breadth"]])
        new = structured_arrays(offers)
        new["modalities"], new["beneficiaries"] = rep["modalities"], rep["beneficiaries"]
        self._struct = {k: np.concatenate([self._struct[k], new[k]]) for k in new}
        self.feasibility_.append(offers)
        self.offers_.extend(_kept(o) for o in offers)
        self.offer_ids_.extend(str(o["id"]) for o in offers)
        self._reindex()

    def _reindex(self) -> None:
        self.row_of_ = {oid: i for i, oid in enumerate(self.offer_ids_)}
        self._word.sort_indices()
        self._concept.sort_indices()
        # Word and concept terms as rows of one matrix (CSR blocks stack by
        # concatenation): one sparse product scores both layers of a query.
        self._text_t = sparse.vstack([self._word.T.tocsr(), self._concept.T.tocsr()],
                                     format="csr")
        self._id_rank = np.argsort(np.argsort(np.array(self.offer_ids_, dtype=object),
                                              kind="stable"), kind="stable")
        n = len(self.offer_ids_)
        prune = n >= PRUNE_MIN_OFFERS
        limit = self.candidate_max_df * n
        self._keep_word = _keep_columns(self._word, limit, prune)
        self._keep_concept = _keep_columns(self._concept, limit, prune)

    def update_offers(self, offers: Sequence[Mapping[str, Any]]) -> Matcher:
        """Add new offers and replace those whose id is already fitted.

        Vocabulary and IDF stay as learnt by :meth:`fit`: words never seen
        then do not count in the word layer, but concepts still do. Refit
        from time to time when the collection has changed a lot.
        """
        check_is_fitted(self, "offer_ids_")
        offers = list(offers)
        validate_records(offers, "offer")
        present = [str(o["id"]) for o in offers if str(o["id"]) in self.row_of_]
        if present:
            self.remove_offers(present)
        self._append(offers)
        return self

    def remove_offers(self, ids: Iterable[str]) -> Matcher:
        """Remove fitted offers by id.

        Raises
        ------
        KeyError
            If an id is not in the fitted collection (nothing is removed).
        """
        check_is_fitted(self, "offer_ids_")
        ids = set(ids)
        unknown = sorted(ids - set(self.row_of_))
        if unknown:
            raise KeyError(f"offer id(s) not in the fitted collection: {', '.join(unknown)}")
        keep = np.array([oid not in ids for oid in self.offer_ids_], dtype=bool)
        rows = np.flatnonzero(keep)
        self._word = self._word[rows]
        self._concept = self._concept[rows]
        self._themes = self._themes[rows]
        self._breadth = self._breadth[rows]
        self._struct = {k: v[rows] for k, v in self._struct.items()}
        self.feasibility_.keep(rows)
        self.offers_ = [self.offers_[i] for i in rows]
        self.offer_ids_ = [self.offer_ids_[i] for i in rows]
        self._reindex()
        return self

    # -- ranking -------------------------------------------------------------
    def rank(self, needs: Sequence[Mapping[str, Any]], top_k: int = 10, *,
             text_only: bool = False) -> dict[str, list[Candidate]]:
        """Best offers for each need, best first.

        Parameters
        ----------
        needs : list of dict
            Need records; they are validated.
        top_k : int, default=10
            How many offers to return per need (fewer when fewer qualify).
        text_only : bool, default=False
            Rank by the text layers alone (word and concept cosine), with no
            hard constraints and no structured features: for plain retrieval
            collections, never for real matching.

        Returns
        -------
        ranking : dict
            Need id -> list of :class:`Candidate`. Unless ``text_only``, no
            candidate breaks a hard constraint.
        """
        check_is_fitted(self, "offer_ids_")
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {top_k!r}")
        needs = list(needs)
        validate_records(needs, "need")
        result: dict[str, list[Candidate]] = {}
        chunks = [needs[lo:lo + self.batch_size] for lo in range(0, len(needs), self.batch_size)]
        workers = min(self.n_jobs or 1, len(chunks))
        # One batch (a need just submitted): starting a thread or pausing the
        # collector would cost more than they save.
        with _collector_paused() if len(chunks) > 1 else nullcontext():
            if workers == 1:
                for chunk in chunks:
                    result.update(self._rank_batch(chunk, top_k, text_only))
                return result
            # Whole batches go to the threads: scipy's sparse products and row
            # selections and numpy's sorts release the interpreter lock, so
            # batches overlap on the cores (the text analysis and the reasons,
            # plain Python, do not).
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for ranked in pool.map(lambda c: self._rank_batch(c, top_k, text_only), chunks):
                    result.update(ranked)
        return result

    def _products(self, chunk: list[Mapping[str, Any]]) -> tuple[dict, sparse.csr_matrix]:
        """Represent a batch of needs and score it against the offers by text.

        The result holds, for each need, only the offers sharing a retained
        term or concept. Query columns of very common terms are dropped here
        (see ``candidate_max_df``); the exact cosines of the best candidates
        are computed afterwards in :meth:`_rank_batch`.
        """
        rep = self.text_model_.transform(chunk, repair=True)
        # Weighted word and concept queries side by side, against the stacked
        # offer matrices: one product gives the combined text score.
        query = sparse.hstack([
            self.weights_["word_cosine"] * _mask_columns(rep["word"], self._keep_word),
            self.weights_["concept_cosine"] * _mask_columns(rep["concept"], self._keep_concept),
        ], format="csr")
        return rep, (query @ self._text_t).tocsr()

    def _rank_batch(self, needs: list[Mapping[str, Any]], top_k: int,
                    text_only: bool) -> dict[str, list[Candidate]]:
        """Rank a batch of needs.

        After the sparse product of the batch, every step (hard constraints,
        exact cosines, features, final order, reasons) is one set of numpy
        operations over the (need, offer) pairs of the whole batch: a need
        has only a few hundred pairs, too few to pay for the overhead of numpy
        calls made need by need.
        """
        rep, scores = self._products(needs)
        limit = max(self.n_candidates, top_k)
        # Pruned text scores are approximate: rescore a wider pool exactly.
        pool = limit * (POOL_FACTOR if self._keep_word is not None else 1)
        owner, rows = self._pools(needs, scores, pool, text_only)
        if len(owner) == 0:
            return {str(need["id"]): [] for need in needs}
        sims = np.column_stack([_pair_dots(rep["word"], self._word, owner, rows),
                                _pair_dots(rep["concept"], self._concept, owner, rows)])
        text_weights = np.array([self.weights_["word_cosine"], self.weights_["concept_cosine"]])
        best = _best_by_group(owner, sims @ text_weights.astype(np.float32), limit,
                              self._id_rank[rows])
        owner, rows, sims = owner[best], rows[best], sims[best]
        if text_only:
            feats, scores = sims, sims.astype(np.float64) @ text_weights
        else:
            feats = self._features(needs, rep, owner, self._offer_rep(), self._struct, rows, sims)
            scores = self._combine(feats)
        final = _best_by_group(owner, np.round(scores, 9), top_k, self._id_rank[rows])
        owner, rows, feats, scores = owner[final], rows[final], feats[final], scores[final]
        names = self._names(text_only)
        features = [dict(zip(names, f, strict=True)) for f in feats.tolist()]
        reasons = self._reasons(needs, rep, owner, self._offer_rep(), self._struct, rows,
                                [self.offers_[r] for r in rows], features,
                                structured=not text_only)
        ranked: list[list[Candidate]] = [[] for _ in needs]
        for i, r, sc, rs, f in zip(owner.tolist(), rows.tolist(), scores.tolist(), reasons,
                                   features, strict=True):
            ranked[i].append(Candidate(self.offer_ids_[r], round(sc, 6), tuple(rs), f))
        return {str(need["id"]): cands for need, cands in zip(needs, ranked, strict=True)}

    def _pools(self, needs: list[Mapping[str, Any]], scores: sparse.csr_matrix, pool: int,
               text_only: bool) -> tuple[np.ndarray, np.ndarray]:
        """For each need, at least the ``pool`` best offers by pruned text that it may
        receive (all of them when fewer qualify).

        Returns the pairs as (need position, offer row) arrays. The selection
        is the first of the ``2 * pool``, ``16 * pool``, ``128 * pool``...
        best candidates holding ``pool`` admissible ones (or every candidate),
        and all its admissible candidates are kept: pruned scores are
        approximate and the exact cosines may reorder them widely. Hard
        constraints are checked for the whole batch at once, two sizes at a
        time (in a large collection most needs go past the first), and only
        the needs still short are searched again.
        """
        if text_only:
            owner, row, _ = _select(scores, np.arange(len(needs)), pool, pool)
            return owner, row
        found_all = np.diff(scores.indptr)
        todo = np.arange(len(needs))
        small = 2 * pool
        owners, rows = [], []
        while len(todo):
            large = 8 * small
            owner, row, in_small = _select(scores, todo, small, large)
            ok = self.feasibility_.mask_pairs(needs, owner, row)
            enough_small = ((np.bincount(owner[ok & in_small], minlength=len(needs)) >= pool)
                            | (found_all <= small))
            enough = (enough_small | (np.bincount(owner[ok], minlength=len(needs)) >= pool)
                      | (found_all <= large))
            keep = ok & enough[owner] & (in_small | ~enough_small[owner])
            owners.append(owner[keep])
            rows.append(row[keep])
            todo = todo[~enough[todo]]
            small = 8 * large
        return np.concatenate(owners), np.concatenate(rows)

    def _names(self, text_only: bool) -> list[str]:
        return list(FEATURE_NAMES[:2]) if text_only else self.feature_names_

    def _offer_rep(self) -> dict:
        return {"word": self._word, "concept": self._concept, "themes": self._themes,
                "breadth": self._breadth}

    def _combine(self, feats: np.ndarray) -> np.ndarray:
        if self.reranker is not None:
            if hasattr(self.reranker, "decision_function"):
                return np.asarray(self.reranker.decision_function(feats), dtype=np.float64)
            return np.asarray(self.reranker.predict_proba(feats)[:, 1], dtype=np.float64)
        weights = np.array([self.weights_[n] for n in self.feature_names_])
        return feats.astype(np.float64) @ weights

    def _features(self, needs: Sequence[Mapping[str, Any]], rep: dict, owner: np.ndarray,
                  orep: dict, struct: Mapping[str, np.ndarray], rows: np.ndarray,
                  sims: np.ndarray | None = None) -> np.ndarray:
        """Feature matrix (pairs x features) of need ``owner[p]`` of ``needs`` (represented
        by ``rep``) against offer ``rows[p]`` (represented by ``orep`` and ``struct``).

        ``sims`` holds the word and concept cosines when the caller has them.
        """
        if sims is None:
            word = _pair_dots(rep["word"], orep["word"], owner, rows)
            concept = _pair_dots(rep["concept"], orep["concept"], owner, rows)
        else:
            word, concept = sims[:, 0], sims[:, 1]
        need_themes = rep["themes"][owner]
        offer_themes = orep["themes"][rows]
        theme_cos = np.einsum("ij,ij->i", offer_themes, need_themes)
        total = need_themes.sum(axis=1)
        covered = ((offer_themes > 0.1) * need_themes).sum(axis=1)
        coverage = np.where(total > 0, covered / np.where(total > 0, total, 1), 0.5)
        modality = _overlap(rep["modalities"][owner], struct["modalities"][rows])
        beneficiary = _overlap(rep["beneficiaries"][owner], struct["beneficiaries"][rows])
        side = need_arrays(needs)
        budget = budget_fit(side["budget"][owner], struct["budget"][rows])
        timing = window_fit(side, struct, owner, rows)
        generic = genericity(orep["breadth"][rows])
        return np.column_stack([word, concept, theme_cos, coverage, modality, beneficiary,
                                budget, timing, generic]).astype(np.float32)

    def score_offer(self, needs: Sequence[Mapping[str, Any]],
                    offer_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Score one fitted offer against many needs at once.

        What a platform needs when an offer is published or edited: which
        needs it could now enter the top of, without ranking every need
        again or explaining the pairs one by one.

        Parameters
        ----------
        needs : list of dict
            Need records; they are validated.
        offer_id : str
            The id of a fitted offer.

        Returns
        -------
        eligible : ndarray of bool, shape (n_needs,)
            Whether each need may receive the offer (no hard constraint broken).
        scores : ndarray of float, shape (n_needs,)
            The score :meth:`rank` gives the pair (and :meth:`explain`).
        """
        check_is_fitted(self, "offer_ids_")
        if offer_id not in self.row_of_:
            raise KeyError(f"offer id not in the fitted collection: {offer_id}")
        needs = list(needs)
        if not needs:
            return np.zeros(0, dtype=bool), np.zeros(0)
        validate_records(needs, "need")
        owner = np.arange(len(needs), dtype=np.intp)
        rows = np.full(len(needs), self.row_of_[offer_id], dtype=np.intp)
        eligible = self.feasibility_.mask_pairs(needs, owner, rows)
        rep = self.text_model_.transform(needs, repair=True)
        feats = self._features(needs, rep, owner, self._offer_rep(), self._struct, rows)
        return eligible, np.round(self._combine(feats), 6)

    # -- explaining ----------------------------------------------------------
    def offer_record(self, offer_id: str) -> dict[str, Any]:
        """The record of a fitted offer, its code lists as lists.

        Parameters
        ----------
        offer_id : str
            The id of a fitted offer.

        Returns
        -------
        record : dict
            A copy of the record given to :meth:`fit` or :meth:`update_offers`.

        Raises
        ------
        KeyError
            If no fitted offer has this id.
        """
        check_is_fitted(self, "offer_ids_")
        if offer_id not in self.row_of_:
            raise KeyError(f"offer id not in the fitted collection: {offer_id}")
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in self.offers_[self.row_of_[offer_id]].items()}

    def explain(self, need: Mapping[str, Any], offer: Mapping[str, Any] | str) -> Explanation:
        """Score and explain one pair, eligible or not.

        Parameters
        ----------
        need : dict
            A need record.
        offer : dict or str
            An offer record, or the id of a fitted offer.

        Returns
        -------
        explanation : Explanation
            ``eligible`` is False when a hard constraint is broken; the
            violations are then listed, and the first reason says so. The
            score is what the pair would get if it were eligible.
        """
        check_is_fitted(self, "offer_ids_")
        validate_records([need], "need")
        if isinstance(offer, str):
            record, orep, struct = self.offer_record(offer), self._offer_rep(), self._struct
            row = self.row_of_[offer]
        else:
            validate_records([offer], "offer")
            record, row = dict(offer), 0
            orep = self.text_model_.transform([record])
            struct = structured_arrays([record])
            struct["modalities"], struct["beneficiaries"] = (orep["modalities"],
                                                             orep["beneficiaries"])
        rep = self.text_model_.transform([need], repair=True)
        owner, rows = np.zeros(1, dtype=np.intp), np.array([row])
        feats = self._features([need], rep, owner, orep, struct, rows)
        score = float(self._combine(feats)[0])
        features = {n: float(feats[0, f]) for f, n in enumerate(self.feature_names_)}
        broken = tuple(violations(need, record))
        reasons = [Reason("excluded", {"constraint": v.code, **v.params}, f"Excluded: {v.text}")
                   for v in broken]
        reasons += self._reasons([need], rep, owner, orep, struct, rows, [record], [features])[0]
        return Explanation(str(need["id"]), str(record["id"]), not broken, round(score, 6),
                           tuple(reasons), broken, features)

    def _reasons(self, needs: Sequence[Mapping[str, Any]], rep: dict, owner: np.ndarray,
                 orep: dict, struct: Mapping[str, np.ndarray], rows: np.ndarray,
                 offers: list[Mapping[str, Any]], features: list[Mapping[str, float]], *,
                 structured: bool = True) -> list[list[Reason]]:
        """Reasons for each pair (need ``owner[p]`` of ``needs``, offer ``rows[p]``
        of ``orep``, ``struct`` and ``offers``); ``structured`` adds themes,
        codes, budget and timing to the similar terms.

        Shared terms and themes and the budget and window comparisons are
        computed for all pairs at once; the loop only writes the sentences.
        """
        concepts = _shared_columns(rep["concept"], orep["concept"], owner, rows, 3)
        words = _shared_columns(rep["word"], orep["word"], owner, rows, 10)
        terms = [self._term_labels(c, w) for c, w in zip(concepts, words, strict=True)]
        if not structured:
            return [[_similar_terms(t)] if t else [] for t in terms]
        themes = _shared_themes(rep["themes"][owner], orep["themes"][rows])
        side = need_arrays(needs)
        budgets = _budget_reasons(side["budget"][owner], struct["budget"][rows])
        windows = _window_reasons(side, struct, owner, rows)
        out = []
        for k, offer in enumerate(offers):
            reasons: list[Reason] = []
            if themes[k]:
                reasons.append(Reason("shared_themes", {"themes": themes[k]}, "Shared themes: "
                                      + ", ".join(THEMES[t].label for t in themes[k])))
            if terms[k]:
                reasons.append(_similar_terms(terms[k]))
            reasons.extend(_shared_codes(needs[owner[k]], offer))
            reasons.extend(budgets[k])
            reasons.extend(windows[k])
            if features[k].get("genericity", 0.0) > 0:
                breadth = int(orep["breadth"][rows[k]])
                reasons.append(Reason("generic_offer", {"themes": breadth},
                                      f"Broad offer covering {breadth} areas; "
                                      "specific offers rank above it"))
            out.append(reasons)
        return out

    def _term_labels(self, concepts: list[int], words: list[int], limit: int = 5) -> list[str]:
        """Labels of the concepts, then surface forms of the words, that carried the text
        similarity, without repeating a word already shown."""
        ids = self.text_model_.concept_ids_
        out = [self.lexicon_.concepts[ids[j]].label for j in concepts]
        labels = self.text_model_.term_labels_
        seen = " ".join(out)
        for j in words:
            if len(out) >= limit:
                break
            if not self._shown_terms[j]:
                continue
            surface = labels[j]
            if surface not in seen:
                out.append(surface)
                seen += " " + surface
        return out

    # -- persistence -----------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Save the fitted engine with joblib, recording the library version."""
        check_is_fitted(self, "offer_ids_")
        buffer = io.BytesIO()
        joblib.dump(self, buffer)
        joblib.dump({"library": "matching", "version": __version__,
                     "model": buffer.getvalue()}, path)

    @classmethod
    def load(cls, path: str | Path) -> Matcher:
        """Load an engine saved by :meth:`save` with the same library version.

        Raises
        ------
        ModelVersionError
            If the file is not a saved matching model or was saved by another
            version of the library.
        """
        header = joblib.load(path)
        if not isinstance(header, dict) or header.get("library") != "matching":
            raise ModelVersionError(f"{path} is not a saved matching model")
        if header.get("version") != __version__:
            raise ModelVersionError(
                f"{path} was saved by matching {header.get('version')}, but this is matching "
                f"{__version__}: fit the model again on the offers and save it")
        model = joblib.load(io.BytesIO(header["model"]))
        if not isinstance(model, cls):
            raise ModelVersionError(f"{path} does not hold a {cls.__name__}")
        return model


_pause_lock = threading.Lock()
_pause_depth = 0
_collector_was_enabled = False


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while many batches are ranked.

    A ranking of thousands of needs builds hundreds of thousands of small
    objects that all survive (candidates, features, reasons): each time
    enough have piled up the collector walks every tracked object of the
    process, while holding the interpreter lock that the ranking threads
    need; that took a tenth of the batch's time. Ranking makes next to no
    reference cycles (a 512-need ranking left 10 unreachable objects).
    Rankings running at once in several threads share one pause: the first
    in turns the collector off, the last out restores it as it was.
    """
    global _pause_depth, _collector_was_enabled
    with _pause_lock:
        if _pause_depth == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pause_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_depth -= 1
            if _pause_depth == 0 and _collector_was_enabled:
                gc.enable()


def _kept(record: Mapping[str, Any]) -> dict[str, Any]:
    """The copy of an offer record the fitted engine keeps, its lists made tuples.

    A fitted engine keeps every offer for reasons and explanations: at 100,000
    offers, some 800,000 lists and dicts. Python's garbage collector walks
    every list and dict it tracks at each full collection, which the ranking
    of a batch (many small objects) triggers several times: a third of the
    time of the reasons went there. Tuples of strings are left out of those
    walks after the first, and dicts holding only such values after the next.
    """
    return {key: tuple(value) if isinstance(value, list) else value
            for key, value in record.items()}


def _row(matrix: sparse.csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of row ``i`` of a CSR matrix, without copying."""
    start, end = matrix.indptr[i], matrix.indptr[i + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def _select(scores: sparse.csr_matrix, needs: np.ndarray, small: int,
            large: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``large`` best candidates by text of each of ``needs`` (rows of ``scores``;
    all candidates when fewer), as flat (need, offer row) arrays, and whether
    each pair is among the ``small`` best of its need."""
    owners, rows, firsts = [], [], []
    for i in needs.tolist():
        cand, text = _row(scores, i)
        if len(cand) > large:
            best = np.argpartition(-text, large - 1)[:large]
            cand, text = cand[best], text[best]
        if len(cand) > small:
            # The ``small`` best first: partitioning the selection is cheaper
            # than a second boundary over every candidate.
            cand = cand[np.argpartition(-text, small - 1)]
        owners.append(np.full(len(cand), i, dtype=np.intp))
        rows.append(cand)
        firsts.append(np.arange(len(cand)) < small)
    return (np.concatenate(owners), np.concatenate(rows).astype(np.intp),
            np.concatenate(firsts))


def _best_by_group(groups: np.ndarray, scores: np.ndarray, k: int,
                   tiebreak: np.ndarray) -> np.ndarray:
    """Indices of the ``k`` highest ``scores`` within each group, grouped by
    increasing group and best first; equal scores go to the smaller ``tiebreak``."""
    order = np.lexsort((tiebreak, -scores, groups))
    if len(order) == 0:
        return order
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]


def _keep_columns(matrix: sparse.csr_matrix, limit: float, prune: bool) -> np.ndarray | None:
    """Boolean mask of the columns found in at most ``limit`` rows, or None (keep all)."""
    if not prune:
        return None
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return df <= limit


def _mask_columns(matrix: sparse.csr_matrix, keep: np.ndarray | None) -> sparse.csr_matrix:
    """Drop the entries of the columns not in ``keep``."""
    if keep is None:
        return matrix
    out = matrix.multiply(keep[np.newaxis, :].astype(matrix.dtype)).tocsr()
    out.eliminate_zeros()
    return out


def _pair_products(queries: sparse.csr_matrix, matrix: sparse.csr_matrix, owner: np.ndarray,
                   rows: np.ndarray) -> sparse.csr_matrix:
    """Row ``p`` holds the term-by-term products of query ``owner[p]`` and ``matrix``
    row ``rows[p]``: the terms each pair shares, with their weights.

    Two row selections and one element-wise product, all in scipy's compiled
    code, for every pair of a batch; no dense query vector is needed.
    """
    return queries[owner].multiply(matrix[rows]).tocsr()


def _pair_dots(queries: sparse.csr_matrix, matrix: sparse.csr_matrix, owner: np.ndarray,
               rows: np.ndarray) -> np.ndarray:
    """Dot product of query ``owner[p]`` with ``matrix`` row ``rows[p]``, for each pair."""
    products = _pair_products(queries, matrix, owner, rows)
    pair = np.repeat(np.arange(len(rows)), np.diff(products.indptr))
    return np.bincount(pair, weights=products.data, minlength=len(rows)).astype(np.float32)


def _shared_columns(queries: sparse.csr_matrix, matrix: sparse.csr_matrix, owner: np.ndarray,
                    rows: np.ndarray, limit: int) -> list[list[int]]:
    """For each pair, the columns query ``owner[p]`` and row ``rows[p]`` share, by
    decreasing product, at most ``limit`` of them."""
    products = _pair_products(queries, matrix, owner, rows)
    pair = np.repeat(np.arange(len(rows)), np.diff(products.indptr))
    keep = products.data > 0
    pair, cols, values = pair[keep], products.indices[keep], products.data[keep]
    best = _best_by_group(pair, values, limit, cols)
    flat = cols[best].tolist()
    out, start = [], 0
    for count in np.bincount(pair[best], minlength=len(rows)).tolist():
        out.append(flat[start:start + count])
        start += count
    return out


def _similar_terms(terms: list[str]) -> Reason:
    return Reason("similar_terms", {"terms": terms}, "Similar terms: " + ", ".join(terms))


def _shared_themes(offer_themes: np.ndarray, need_themes: np.ndarray) -> list[list[str]]:
    """For each pair, the themes strong on both sides, by decreasing product."""
    order = np.argsort(-(offer_themes * need_themes), axis=1, kind="stable")
    strong = np.take_along_axis((offer_themes >= 0.2) & (need_themes >= 0.2), order, axis=1)
    pair, position = np.nonzero(strong)
    flat = [THEME_CODES[t] for t in order[pair, position].tolist()]
    out, start = [], 0
    for count in np.bincount(pair, minlength=len(order)).tolist():
        out.append(flat[start:start + count])
        start += count
    return out


def _shared_codes(need: Mapping[str, Any], offer: Mapping[str, Any]) -> list[Reason]:
    """Working languages, kinds of help and beneficiaries in common."""
    languages = [c for c in need.get("working_languages") or []
                 if c in (offer.get("working_languages") or [])]
    reasons = [Reason("shared_languages", {"languages": languages},
                      "Working languages in common: " + ", ".join(languages))] if languages else []
    for key, table, code, label in (
        ("modalities", MODALITIES, "shared_modalities", "Kinds of help in common"),
        ("beneficiaries", BENEFICIARIES, "shared_beneficiaries", "Beneficiaries in common"),
    ):
        common = [c for c in need.get(key) or [] if c in (offer.get(key) or [])]
        if common:
            reasons.append(Reason(code, {key: common}, f"{label}: "
                                  + ", ".join(table[c].label for c in common)))
    return reasons


def _usd(value: float) -> str:
    return f"USD {value:,.0f}"


def _budget_reasons(need: np.ndarray, offer: np.ndarray) -> list[list[Reason]]:
    """For each pair of budgets (NaN if unknown), how the offer's compares."""
    out: list[list[Reason]] = [[] for _ in range(len(need))]
    known = np.flatnonzero((need > 0) & ~np.isnan(offer))
    for k, nb, ob in zip(known.tolist(), need[known].tolist(), offer[known].tolist(),
                         strict=True):
        params = {"offer": ob, "need": nb}
        if ob < 0.25 * nb:
            out[k].append(Reason("budget_low", params, f"Offer budget {_usd(ob)} is far below "
                                 f"the need's {_usd(nb)}"))
        elif ob >= nb:
            out[k].append(Reason("budget_covers", params, f"Offer budget {_usd(ob)} covers the "
                                 f"need's {_usd(nb)}"))
        else:
            out[k].append(Reason("budget_partial", {**params, "share": round(ob / nb, 2)},
                                 f"Offer budget {_usd(ob)} covers {ob / nb:.0%} of the need's "
                                 f"{_usd(nb)}"))
    return out


def _window_reasons(need_side: Mapping[str, np.ndarray], offer_side: Mapping[str, np.ndarray],
                    owner: np.ndarray, rows: np.ndarray) -> list[list[Reason]]:
    """For each pair whose windows overlap, the months they share (both sides
    must give a window; an open bound reads "the start" or "open end")."""
    start = np.maximum(need_side["start"][owner], offer_side["start"][rows])
    end = np.minimum(need_side["end"][owner], offer_side["end"][rows])
    overlap = (need_side["has_window"][owner] & offer_side["has_window"][rows]
               & (start <= end))
    out: list[list[Reason]] = [[] for _ in range(len(rows))]
    shown = np.flatnonzero(overlap)
    for k, first, last in zip(shown.tolist(), start[shown].tolist(), end[shown].tolist(),
                              strict=True):
        first_month, last_month = _month_text(first, "0000-01"), _month_text(last, "9999-12")
        first_text = "the start" if first == _OPEN_START else first_month
        last_text = "open end" if last == _OPEN_END else last_month
        out[k].append(Reason("windows_overlap", {"start": first_month, "end": last_month},
                             f"Windows overlap from {first_text} to {last_text}"))
    return out


def _month_text(month: int, open_text: str) -> str:
    """A month number of :func:`~matching.constraints._window_bounds` as ``YYYY-MM``."""
    if month in (_OPEN_START, _OPEN_END):
        return open_text
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


# Words that weigh in the similarity but tell a reader nothing about why two
# texts match: years, amounts, currencies.
_UNTELLING = frozenset({"usd", "eur", "us$", "dollars", "dollar", "euros", "euro"})


def _telling(surface: str) -> bool:
    """Whether a shared word is worth showing to a person as a reason."""
    word = surface.strip().lower()
    return (len(word) > 2 and not any(ch.isdigit() for ch in word)
            and word not in _UNTELLING)
