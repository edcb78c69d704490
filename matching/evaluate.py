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


# -- learning from simulated decisions ------------------------------------------

def split_needs(needs: Sequence[Mapping[str, Any]], gold: Mapping[str, Mapping[str, int]],
                *, train_share: float = 0.5, seed: int = 0
                ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Split needs into a training and a held-out part, seeded.

    Stratified by (has a judged offer, language of the need): within each
    stratum the needs are shuffled and ``train_share`` of them (rounded, with
    the rounding carried over from stratum to stratum so the total share is
    right) go to training. Order within each part follows ``needs``.
    """
    if not 0 < train_share < 1:
        raise ValueError(f"train_share must be in (0, 1), got {train_share!r}")
    rng = np.random.default_rng(seed)
    strata: dict[tuple[bool, str], list[int]] = {}
    for i, need in enumerate(needs):
        judged = any(g > 0 for g in (gold.get(need["id"]) or {}).values())
        strata.setdefault((judged, str(need.get("language") or "")), []).append(i)
    train: set[int] = set()
    carry = 0.0
    for key in sorted(strata):
        members = list(strata[key])
        rng.shuffle(members)
        want = len(members) * train_share + carry
        take = int(np.floor(want + 0.5))
        carry = want - take
        train.update(members[:take])
    return ([n for i, n in enumerate(needs) if i in train],
            [n for i, n in enumerate(needs) if i not in train])


def simulate_decisions(ranked: Mapping[str, Sequence[Any]],
                       gold: Mapping[str, Mapping[str, int]], *, positive_grade: int = 2,
                       depth: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinator decisions simulated from graded judgements.

    For each need of ``ranked`` (need id -> :class:`~matching.Candidate` list,
    best first), the first ``depth`` candidates are looked at: those graded
    at least ``positive_grade`` are proposed (label 1), the others rejected
    (label 0). Each decision keeps the engine's stored feature dictionary, as
    the platform does.

    Returns
    -------
    X : ndarray of shape (n_decisions, n_features)
        Feature rows in :data:`~matching.FEATURE_NAMES` order.
    y : ndarray of shape (n_decisions,)
    groups : ndarray of shape (n_decisions,)
        The need id of each decision.
    """
    from matching.rerank import feature_matrix

    features: list[Mapping[str, float]] = []
    labels: list[int] = []
    groups: list[str] = []
    for nid, cands in ranked.items():
        judged = gold.get(nid) or {}
        for cand in list(cands)[:depth]:
            features.append(cand.features)
            labels.append(int(judged.get(cand.offer_id, 0) >= positive_grade))
            groups.append(nid)
    return (feature_matrix(features), np.array(labels, dtype=int),
            np.array(groups, dtype=object))


def simulate_learning(needs: Sequence[Mapping[str, Any]], offers: Sequence[Mapping[str, Any]],
                      gold: Mapping[str, Mapping[str, int]], *, train_share: float = 0.5,
                      seeds: Sequence[int] = (0,), top_k: int = 10, depth: int = 20,
                      positive_grade: int = 2, reranker: Any = None,
                      matcher: Any = None) -> dict[str, Any]:
    """Train the decision re-ranker on simulated decisions, score held-out needs.

    For each seed: split the needs (:func:`split_needs`), rank the training
    needs with the hand-weighted engine, simulate the coordinator's decisions
    on their first ``depth`` candidates (:func:`simulate_decisions`), fit a
    clone of ``reranker`` (default :class:`~matching.rerank.DecisionReranker`)
    on them, and evaluate the held-out needs before (hand weights) and after
    (re-ranker). Nothing of the held-out needs is used for training.

    Returns
    -------
    result : dict
        ``repeats``: one dict per seed with ``seed``, ``train_needs``,
        ``held_out_needs``, ``decisions``, ``positives``, ``before`` and
        ``after`` (reports of :func:`evaluate_rankings` on the held-out
        needs); ``mean``: mean held-out nDCG@10 ``before``, ``after`` and
        their ``difference``, and the total ``violations_after``.
    """
    from sklearn.base import clone

    from matching.matcher import Matcher
    from matching.rerank import DecisionReranker

    base = clone(matcher) if matcher is not None else Matcher()
    base.set_params(reranker=None).fit(offers)
    ranked_all = base.rank(needs, top_k=max(depth, top_k))
    template = reranker if reranker is not None else DecisionReranker()
    repeats = []
    for seed in seeds:
        train, held = split_needs(needs, gold, train_share=train_share, seed=seed)
        X, y, groups = simulate_decisions({n["id"]: ranked_all[n["id"]] for n in train}, gold,
                                          positive_grade=positive_grade, depth=depth)
        fitted = clone(template)
        if "groups" in _fit_parameters(fitted):
            fitted.fit(X, y, groups=groups)
        else:
            fitted.fit(X, y)
        learnt = clone(base).set_params(reranker=fitted).fit(offers)
        before = {n["id"]: [c.offer_id for c in ranked_all[n["id"]][:top_k]] for n in held}
        after = rankings_from(lambda held=held, learnt=learnt: learnt.rank(held, top_k=top_k))
        repeats.append({
            "seed": int(seed), "train_needs": len(train), "held_out_needs": len(held),
            "decisions": int(len(y)), "positives": int(y.sum()),
            "reranker_C": getattr(fitted, "C_", None),
            "before": evaluate_rankings(before, held, offers, gold),
            "after": evaluate_rankings(after, held, offers, gold),
        })
    b = [r["before"]["overall"].get("ndcg@10", 0.0) for r in repeats]
    a = [r["after"]["overall"].get("ndcg@10", 0.0) for r in repeats]
    return {"repeats": repeats, "mean": {
        "before": float(np.mean(b)), "after": float(np.mean(a)),
        "difference": float(np.mean(np.subtract(a, b))),
        "violations_after": int(sum(r["after"]["violations"] for r in repeats)),
    }}


def _fit_parameters(estimator: Any) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(estimator.fit).parameters)
    except (TypeError, ValueError):
        return set()


def format_learning(result: Mapping[str, Any]) -> str:
    """Human-readable tables of :func:`simulate_learning`: before and after for
    each repeat, then the means."""
    blocks = []
    for rep in result["repeats"]:
        head = (f"seed {rep['seed']}: {rep['train_needs']} training needs "
                f"({rep['decisions']} simulated decisions, {rep['positives']} proposals; "
                f"re-ranker C={rep['reranker_C']}), "
                f"{rep['held_out_needs']} held-out needs")
        blocks.append(head + "\n"
                      + format_report("before (hand weights), held-out needs", rep["before"])
                      + "\n" + format_report("after (re-ranker), held-out needs", rep["after"]))
    lines = ["held-out nDCG@10 per seed:  " + "  ".join(
        f"{r['seed']}: {r['before']['overall'].get('ndcg@10', 0.0):.3f} -> "
        f"{r['after']['overall'].get('ndcg@10', 0.0):.3f}" for r in result["repeats"])]
    mean = result["mean"]
    lines.append(f"mean over {len(result['repeats'])} split(s): nDCG@10 before "
                 f"{mean['before']:.3f}, after {mean['after']:.3f}, "
                 f"difference {mean['difference']:+.3f}; "
                 f"violations in top 10 after: {mean['violations_after']}")
    return "\n\n".join(blocks + ["\n".join(lines)])
