"""A re-ranker learnt from coordinators' decisions.

Every proposal, agreement, rejection and decline on the platform is a
labelled pair (need, offer) with the engine's feature scores. A logistic
model over those scores learns how much each feature really weighs for this
secretariat; plugged into :class:`~matching.Matcher` as ``reranker`` it
replaces the hand-set linear weights. It only reorders candidates that have
already passed the hard constraints, so it can never promote an offer that
breaks one.

Decisions are few and noisy, and the hand-set weights are already good, so
the model keeps them as a prior: its score is

    b + s * hand_score + w . standardised_features

where ``hand_score`` is the engine's hand-weighted linear score, ``s`` is
fitted and only weakly penalised, and the corrections ``w`` are shrunk
toward zero (that is, toward the hand weights) with strength ``1 / C``. With
few decisions the re-ranker therefore orders candidates as the engine does,
and departs from it only as far as the decisions show. ``C`` is chosen among
``Cs`` by cross-validation on the training decisions alone.

When the need of each decision is known (``fit(X, y, groups=need_ids)``) the
model is fitted on pairs within a need (a proposed offer against a rejected
one for the same need, RankSVM-style with the logistic loss), which is what
ranking asks for; without ``groups`` it is a class-balanced pointwise logistic
regression.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.features import FEATURE_NAMES

__all__ = ["DecisionReranker", "TooFewDecisions", "feature_matrix"]

#: Penalty on the weight of the standardised prior score, per unit of data weight
#: (independent of C): just enough to keep it finite on separable decisions.
_PRIOR_PENALTY = 1e-2


class TooFewDecisions(ValueError):
    """Not enough labelled decisions (or only one kind) to learn from."""


def feature_matrix(feature_dicts: Sequence[Mapping[str, float]],
                   names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
    """Stack stored feature dictionaries into rows in ``names`` order.

    A feature missing from a dictionary (stored by an older engine) counts 0.
    """
    return np.array([[float(f.get(name, 0.0)) for name in names] for f in feature_dicts],
                    dtype=np.float64).reshape(len(feature_dicts), len(names))


class DecisionReranker(ClassifierMixin, BaseEstimator):
    """Logistic model over the engine's features, from coordinators' decisions,
    regularised toward the hand-set weights.

    Parameters
    ----------
    C : float, default=1.0
        Inverse strength of the shrinkage of the corrections toward the hand
        weights (per decision, as in scikit-learn's ``LogisticRegression``);
        small data wants a firm prior.
    min_examples : int, default=20
        Fewer labelled decisions than this raise :class:`TooFewDecisions`,
        and the platform keeps the hand-weighted score.
    prior_weights : dict or None, default=None
        Feature name -> weight of the prior score; None means the engine's
        :data:`~matching.matcher.DEFAULT_WEIGHTS`, ``{}`` no prior (a plain
        logistic regression on standardised features).
    Cs : sequence of float or None, default=(0.01, 0.03, 0.1, 0.3, 1.0)
        Candidate values of ``C``, chosen by a ``cv``-fold cross-validation
        on the training decisions: with ``groups``, folds of needs and the
        mean per-need nDCG of the decisions; without, folds of decisions and
        the area under the ROC curve. None: use ``C``.
    cv : int, default=3
        Folds of that cross-validation.
    random_state : int or None, default=0
        Seed of the assignment of needs to folds.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    n_features_in_ : int
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation of the features.
    prior_ : ndarray of shape (n_features,)
        Weights of the prior score over raw features, in FEATURE_NAMES order
        (zeros without a prior).
    prior_scale_ : float
        Standard deviation of the prior score on the training decisions.
    coef_ : ndarray of shape (n_features,)
        Corrections over standardised features.
    prior_coef_ : float
        Fitted weight of the standardised prior score.
    intercept_ : float
    pairwise_ : bool
        Whether it was fitted on pairs within needs.
    C_ : float
        The value of ``C`` used.
    """

    def __init__(self, *, C: float = 1.0, min_examples: int = 20,
                 prior_weights: Mapping[str, float] | None = None,
                 Cs: Sequence[float] | None = (0.01, 0.03, 0.1, 0.3, 1.0), cv: int = 3,
                 random_state: int | None = 0) -> None:
        self.C = C
        self.min_examples = min_examples
        self.prior_weights = prior_weights
        self.Cs = Cs
        self.cv = cv
        self.random_state = random_state

    def _prior_vector(self, n_features: int) -> np.ndarray:
        if self.prior_weights is None:
            from matching.matcher import DEFAULT_WEIGHTS
            weights: Mapping[str, float] = DEFAULT_WEIGHTS
        else:
            weights = self.prior_weights
        unknown = set(weights) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"unknown feature weight(s): {sorted(unknown)}")
        prior = np.zeros(n_features)
        if n_features == len(FEATURE_NAMES):
            prior[:] = [float(weights.get(n, 0.0)) for n in FEATURE_NAMES]
        elif weights:
            raise ValueError(f"a prior needs the {len(FEATURE_NAMES)} features of FEATURE_NAMES, "
                             f"got {n_features}")
        return prior

    def fit(self, X, y, groups=None) -> DecisionReranker:
        """Fit on decisions: rows of features in FEATURE_NAMES order, labels in {0, 1}.

        Parameters
        ----------
        X : array of shape (n_decisions, n_features)
        y : array of shape (n_decisions,)
            1 for a proposed (or agreed) pair, 0 for a rejected or declined one.
        groups : array of shape (n_decisions,), optional
            The need of each decision. When given, the model is fitted on
            pairs (proposed, rejected) of the same need.

        Raises
        ------
        TooFewDecisions
            Fewer than ``min_examples`` decisions, or only one kind.
        """
        X, y = validate_data(self, X, y)
        y = np.asarray(y).astype(int)
        if not float(self.C) > 0:
            raise ValueError(f"C must be > 0, got {self.C!r}")
        if len(y) < self.min_examples:
            raise TooFewDecisions(
                f"{len(y)} decision(s) recorded; at least {self.min_examples} are needed")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise TooFewDecisions("decisions must include both positive and negative ones")
        if set(self.classes_.tolist()) != {0, 1}:
            raise ValueError(f"labels must be 0 and 1, got {self.classes_.tolist()}")
        if groups is not None:
            groups = np.asarray(groups, dtype=object)
            if groups.shape != y.shape:
                raise ValueError(f"groups must have one entry per decision ({len(y)}), "
                                 f"got shape {groups.shape}")
        self.C_ = float(self.C)
        if self.Cs is not None and len(self.Cs) > 0:
            self.C_ = self._select_C(X, y, groups)
        return self._fit(X, y, groups, self.C_)

    def _select_C(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None) -> float:
        """The candidate C with the best cross-validated score (ties: the smallest
        C, the firmest prior): per-need nDCG of the decisions with folds of
        needs when ``groups`` is known, else the area under the ROC curve with
        folds of decisions stratified by label."""
        rng = np.random.default_rng(self.random_state)
        n_folds = max(2, int(self.cv))
        if groups is not None:
            names = sorted(set(groups.tolist()), key=str)
            fold_of = dict(zip(names, rng.permutation(len(names)) % n_folds, strict=True))
            folds = np.array([fold_of[g] for g in groups.tolist()])
        else:
            folds = np.empty(len(y), dtype=int)
            for label in (0, 1):
                rows = np.flatnonzero(y == label)
                folds[rows] = rng.permutation(len(rows)) % n_folds
        best, best_score = float(self.C), -np.inf
        for C in sorted(float(c) for c in self.Cs):
            scores = []
            for k in np.unique(folds):
                train, test = folds != k, folds == k
                if len(np.unique(y[train])) < 2:
                    continue
                model = self._fit(X[train], y[train],
                                  None if groups is None else groups[train], C, copy=True)
                if groups is not None:
                    scores.extend(_group_ndcg(model._decision(X[test]), y[test], groups[test]))
                elif len(np.unique(y[test])) == 2:
                    scores.append(roc_auc_score(y[test], model._decision(X[test])))
            if scores and float(np.mean(scores)) > best_score + 1e-12:
                best, best_score = C, float(np.mean(scores))
        return best

    def _fit(self, X: np.ndarray, y: np.ndarray, groups, C: float, *,
             copy: bool = False) -> DecisionReranker:
        if copy:
            other = DecisionReranker(**self.get_params())
            other.n_features_in_ = self.n_features_in_
            other.classes_ = self.classes_
            return other._fit(X, y, groups, C)
        self.prior_ = self._prior_vector(X.shape[1])
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        hand = X @ self.prior_
        spread = float(hand.std())
        self.prior_scale_ = spread if spread > 1e-12 else 1.0
        design = self._design(X)
        has_prior = bool(np.any(self.prior_))
        # The scale of the prior is barely penalised whatever C: only the corrections are shrunk.
        penalty = np.r_[_PRIOR_PENALTY * C if has_prior else 1.0, np.ones(X.shape[1])]
        if not has_prior:
            design[:, 0] = 0.0
        pairs = _pairs(y, groups) if groups is not None else None
        self.pairwise_ = pairs is not None and len(pairs[0]) > 0
        if self.pairwise_:
            diff = design[pairs[0]] - design[pairs[1]]
            coef = _fit_logistic(diff, np.ones(len(diff)), np.ones(len(diff)), penalty,
                                 C, intercept=False)[0]
            scores = design @ coef
            weights = _balanced(y)
            self.intercept_ = float(_fit_logistic(scores[:, None], y.astype(float), weights,
                                                  np.zeros(1), C, intercept=True,
                                                  fixed_slope=True)[1])
        else:
            coef, self.intercept_ = _fit_logistic(design, y.astype(float), _balanced(y),
                                                  penalty, C, intercept=True)
        self.prior_coef_ = float(coef[0])
        self.coef_ = coef[1:]
        return self

    def _design(self, X: np.ndarray) -> np.ndarray:
        hand = (X @ self.prior_) / self.prior_scale_
        return np.column_stack([hand, (X - self.mean_) / self.scale_])

    def decision_function(self, X) -> np.ndarray:
        """Score of each row (higher ranks first); a log-odds of a proposal."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False)
        return self._decision(X)

    def _decision(self, X: np.ndarray) -> np.ndarray:
        design = self._design(X)
        return design[:, 0] * self.prior_coef_ + design[:, 1:] @ self.coef_ + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def _group_ndcg(scores: np.ndarray, y: np.ndarray, groups: np.ndarray) -> list[float]:
    """nDCG of each need's decisions ordered by ``scores`` (binary gains)."""
    out = []
    for g in set(groups.tolist()):
        rows = np.flatnonzero(groups == g)
        labels = y[rows]
        if not labels.any():
            continue
        order = labels[np.lexsort((rows, -scores[rows]))]
        discount = 1.0 / np.log2(np.arange(len(order)) + 2)
        out.append(float(order @ discount / (np.sort(labels)[::-1] @ discount)))
    return out


def _balanced(y: np.ndarray) -> np.ndarray:
    """Sample weights of scikit-learn's ``class_weight="balanced"``."""
    counts = np.bincount(y, minlength=2).astype(float)
    return (len(y) / (2.0 * counts))[y]


def _pairs(y: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices (positive, negative) of the pairs of decisions on the same need."""
    groups = np.asarray(groups, dtype=object)
    if groups.shape != y.shape:
        raise ValueError(f"groups must have one entry per decision ({len(y)}), "
                         f"got shape {groups.shape}")
    pos: list[int] = []
    neg: list[int] = []
    by_group: dict[object, list[int]] = {}
    for i, g in enumerate(groups.tolist()):
        by_group.setdefault(g, []).append(i)
    for members in by_group.values():
        p = [i for i in members if y[i] == 1]
        n = [i for i in members if y[i] == 0]
        for i in p:
            pos.extend([i] * len(n))
            neg.extend(n)
    return np.array(pos, dtype=int), np.array(neg, dtype=int)


def _fit_logistic(design: np.ndarray, target: np.ndarray, weights: np.ndarray,
                  penalty: np.ndarray, C: float, *, intercept: bool,
                  fixed_slope: bool = False) -> tuple[np.ndarray, float]:
    """Weighted, L2-penalised logistic regression by L-BFGS.

    Minimises ``sum(w * logloss) + 0.5 * sum(penalty * coef**2) / C`` (as
    scikit-learn's ``LogisticRegression`` up to the factor C; the intercept
    is not penalised). With ``fixed_slope`` the coefficients are
    fixed at 1 and only the intercept is fitted (calibration of pair scores).
    """
    n_coef = design.shape[1]

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, float]:
        coef = np.ones(n_coef) if fixed_slope else theta[:n_coef]
        return coef, (theta[-1] if intercept else 0.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, b = unpack(theta)
        z = design @ coef + b
        value = -np.sum(weights * (target * log_expit(z) + (1 - target) * log_expit(-z)))
        residual = weights * (expit(z) - target)
        grads = []
        if not fixed_slope:
            value += 0.5 * float(np.sum(penalty * coef ** 2)) / C
            grads.append(design.T @ residual + penalty * coef / C)
        if intercept:
            grads.append(np.array([residual.sum()]))
        return float(value), np.concatenate(grads)

    size = (0 if fixed_slope else n_coef) + int(intercept)
    result = minimize(loss, np.zeros(size), jac=True, method="L-BFGS-B",
                      options={"maxiter": 2000})
    return unpack(result.x)
