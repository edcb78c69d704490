"""A re-ranker learnt from coordinators' decisions.

Every proposal, agreement, rejection and decline on the platform is a
labelled pair (need, offer) with the engine's feature scores. A logistic
regression over those scores learns how much each feature really weighs for
this secretariat; plugged into :class:`~matching.Matcher` as ``reranker`` it
replaces the hand-set linear weights. It only reorders candidates that have
already passed the hard constraints, so it can never promote an offer that
breaks one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.features import FEATURE_NAMES

__all__ = ["DecisionReranker", "TooFewDecisions", "feature_matrix"]


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
    """Logistic regression over the engine's features, from coordinators' decisions.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength; small data wants a firm prior.
    min_examples : int, default=20
        Fewer labelled decisions than this raise :class:`TooFewDecisions`,
        and the platform keeps the hand-weighted score.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    model_ : Pipeline
        Standardisation then logistic regression.
    n_features_in_ : int
    """

    def __init__(self, *, C: float = 1.0, min_examples: int = 20) -> None:
        self.C = C
        self.min_examples = min_examples

    def fit(self, X, y) -> DecisionReranker:
        X, y = validate_data(self, X, y)
        y = np.asarray(y).astype(int)
        if len(y) < self.min_examples:
            raise TooFewDecisions(
                f"{len(y)} decision(s) recorded; at least {self.min_examples} are needed")
        if len(np.unique(y)) < 2:
            raise TooFewDecisions("decisions must include both positive and negative ones")
        self.model_ = make_pipeline(
            StandardScaler(), LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000))
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return self.model_.decision_function(X)

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return self.model_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
