"""Ranking metrics against graded judgements, and the baselines they are read against.

Metrics (all over the needs that have at least one judged offer, except the
violation count):

* nDCG@k with gain ``2**grade - 1`` and the ideal ranking of all judged offers;
* P@1: the top offer has grade >= 1;
* recall@10: share of the need's judged offers found in the top 10;
* MRR: reciprocal rank of the first offer with grade >= 1;
* worst tenth: mean nDCG@10 of the worst 10% of needs;
* violations: pairs in any top 10 that break a hard constraint.

Each metric is reported overall and per language of the need.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.constraints import FeasibilityIndex, is_feasible

__all__ = ["baseline_rankings", "dcg", "evaluate_rankings", "ndcg"]

Ranking = Mapping[str, Sequence[str]]


def dcg(grades: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` grades (gain ``2**g - 1``)."""
    return sum((2.0 ** g - 1.0) / math.log2(i + 2) for i, g in enumerate(grades[:k]))


def ndcg(ranked: Sequence[str], judged: Mapping[str, float], k: int) -> float:
    """nDCG@k of one ranked list; 0 when nothing is judged relevant."""
    ideal = dcg(sorted(judged.values(), reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg([judged.get(o, 0) for o in ranked], k) / ideal


def _per_need(ranked: Sequence[str], judged: Mapping[str, float]) -> dict[str, float]:
    relevant = {o for o, g in judged.items() if g > 0}
    first = next((i for i, o in enumerate(ranked) if o in relevant), None)
    return {
        "ndcg@5": ndcg(ranked, judged, 5),
        "ndcg@10": ndcg(ranked, judged, 10),
        "p@1": float(bool(ranked) and ranked[0] in relevant),
        "recall@10": len(relevant & set(ranked[:10])) / len(relevant),
        "mrr": 0.0 if first is None else 1.0 / (first + 1),
    }


def evaluate_rankings(rankings: Ranking, needs: Sequence[Mapping[str, Any]],
                      offers: Sequence[Mapping[str, Any]],
                      gold: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """Score rankings (need id -> offer ids, best first) against ``gold``.

    Returns
    -------
    report : dict
        ``overall`` and ``by_language`` (metric -> value, plus ``needs``, the
        number of needs with judged offers), ``worst_tenth_ndcg@10``,
        ``violations`` (hard-constraint violations in the top 10s) and
        ``needs_without_gold``.
    """
    by_id = {o["id"]: o for o in offers}
    rows: list[tuple[str, dict[str, float]]] = []
    broken = 0
    for need in needs:
        ranked = list(rankings.get(need["id"], []))
        broken += sum(1 for o in ranked[:10] if o in by_id and not is_feasible(need, by_id[o]))
        judged = {o: g for o, g in (gold.get(need["id"]) or {}).items() if g > 0}
        if judged:
            rows.append((need["language"], _per_need(ranked, judged)))

    def mean(items: list[dict[str, float]]) -> dict[str, float]:
        if not items:
            return {"needs": 0}
        out = {m: float(np.mean([r[m] for r in items])) for m in items[0]}
        out["needs"] = len(items)
        return out

    scores = [r for _, r in rows]
    tenth = sorted(r["ndcg@10"] for r in scores)[: max(1, math.ceil(len(scores) / 10))]
    return {
        "overall": mean(scores),
        "by_language": {lang: mean([r for lg, r in rows if lg == lang])
                        for lang in sorted({lg for lg, _ in rows})},
        "worst_tenth_ndcg@10": float(np.mean(tenth)) if scores else 0.0,
        "violations": broken,
        "needs_without_gold": len(needs) - len(rows),
    }


def baseline_rankings(needs: Sequence[Mapping[str, Any]], offers: Sequence[Mapping[str, Any]],
                      *, filtered: bool, top_k: int = 10) -> dict[str, list[str]]:
    """Plain TF-IDF cosine (scikit-learn defaults, title + description, IDF from
    the offers), optionally filtered by the hard constraints."""
    def text(r: Mapping[str, Any]) -> str:
        return f"{r['title']} {r['description']}"

    vectorizer = TfidfVectorizer()
    offer_matrix = vectorizer.fit_transform([text(o) for o in offers])
    # One sparse row of similarities at a time: never a dense needs x offers matrix.
    sims = (vectorizer.transform([text(n) for n in needs]) @ offer_matrix.T).tocsr()
    index = FeasibilityIndex().fit(offers) if filtered else None
    ids = [o["id"] for o in offers]
    out: dict[str, list[str]] = {}
    for i, need in enumerate(needs):
        start, end = sims.indptr[i], sims.indptr[i + 1]
        scores = dict(zip(sims.indices[start:end].tolist(), sims.data[start:end].tolist(),
                          strict=True))
        allowed = index.mask(need) if index is not None else np.ones(len(ids), dtype=bool)
        rows = [j for j in range(len(ids)) if allowed[j]]
        rows.sort(key=lambda j: (-scores.get(j, 0.0), ids[j]))
        out[need["id"]] = [ids[j] for j in rows[:top_k]]
    return out


def format_report(name: str, report: Mapping[str, Any]) -> str:
    """Human-readable table of one report."""
    metrics = ("ndcg@5", "ndcg@10", "p@1", "recall@10", "mrr")
    head = f"{name}\n  {'':10s}" + "".join(f"{m:>10s}" for m in metrics) + f"{'needs':>7s}"
    lines = [head]

    def line(label: str, values: Mapping[str, float]) -> str:
        return f"  {label:10s}" + "".join(f"{values.get(m, 0.0):10.3f}" for m in metrics) \
            + f"{int(values.get('needs', 0)):7d}"

    lines.append(line("overall", report["overall"]))
    for lang, values in report["by_language"].items():
        lines.append(line(lang, values))
    lines.append(f"  worst tenth nDCG@10: {report['worst_tenth_ndcg@10']:.3f}")
    lines.append(f"  hard-constraint violations in top 10: {report['violations']}")
    return "\n".join(lines)


def rankings_from(ranker: Callable[[], Mapping[str, Sequence[Any]]]) -> dict[str, list[str]]:
    """Offer ids of a :meth:`Matcher.rank` result."""
    return {nid: [c.offer_id for c in cands] for nid, cands in ranker().items()}
