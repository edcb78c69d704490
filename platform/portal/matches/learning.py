"""Learn from coordinators' decisions: every proposal, agreement, rejection
and decline is a labelled example for the engine's re-ranker."""

from __future__ import annotations

import io

import joblib
import numpy as np
import sqlalchemy as sa

import matching
from matching.rerank import DecisionReranker, TooFewDecisions, feature_matrix
from portal.extensions import db
from portal.matches.models import Match, MatchStatus, RankerModel, Rejection

__all__ = ["TooFewDecisions", "decision_examples", "latest_reranker", "train"]

#: A proposal the sides did not turn down counts as a good candidate.
POSITIVE = (MatchStatus.PROPOSED, MatchStatus.AGREED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)


def decision_examples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels (proposed or agreed = 1, rejected or declined = 0)
    and the need of each decision, so the re-ranker learns from pairs of
    decisions on the same need.

    Offers picked by hand outside the ranking have no features and are left
    out; cancelled matches say nothing about the pair and are left out too.
    """
    features: list[dict] = []
    labels: list[int] = []
    needs: list[int] = []
    for need_id, status, stored in db.session.execute(
            sa.select(Match.need_id, Match.status, Match.features).where(Match.features.is_not(None))):
        if status in POSITIVE or status == MatchStatus.DECLINED:
            features.append(stored)
            labels.append(1 if status in POSITIVE else 0)
            needs.append(need_id)
    for need_id, stored in db.session.execute(
            sa.select(Rejection.need_id, Rejection.features).where(Rejection.features.is_not(None))):
        features.append(stored)
        labels.append(0)
        needs.append(need_id)
    return feature_matrix(features), np.array(labels, dtype=int), np.array(needs, dtype=int)


def train(*, min_examples: int = 20) -> RankerModel:
    """Fit a re-ranker on every decision so far and store it (raises TooFewDecisions)."""
    X, y, needs = decision_examples()
    reranker = DecisionReranker(min_examples=min_examples).fit(X, y, groups=needs)
    buffer = io.BytesIO()
    joblib.dump(reranker, buffer)
    model = RankerModel(n_examples=int(len(y)), n_positive=int(y.sum()),
                        library_version=matching.__version__, payload=buffer.getvalue())
    db.session.add(model)
    db.session.flush()
    return model


def latest_model_id() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(RankerModel.id)))


def load_reranker(model_id: int | None) -> DecisionReranker | None:
    """The stored re-ranker, or None (hand-weighted score) when there is none
    or it was trained by another version of the engine."""
    if model_id is None:
        return None
    model = db.session.get(RankerModel, model_id)
    if model is None or model.library_version != matching.__version__:
        return None
    return joblib.load(io.BytesIO(model.payload))


def latest_reranker() -> DecisionReranker | None:
    return load_reranker(latest_model_id())
