"""Speed and memory of ranking at scale, as ratios measured in one process.

* batch: top-10 for N needs against M offers, end to end (text, hard
  constraints, structured features, reasons) versus the bare word TF-IDF
  product with sparse_dot_topn (2 threads) on the same matrices;
* single need: p95 latency of ranking one new need against M offers;
* memory: the process's peak resident set size.

Sizes come from MATCHING_BENCH_NEEDS / MATCHING_BENCH_OFFERS (default 2,000 and
100,000). Figures are printed (run with ``-s``); only loose sanity bounds are
asserted, since timings depend on the machine.
"""

from __future__ import annotations

import os
import resource
import time

import numpy as np
import pytest

from matching import Matcher
from tests.benchmarks.generator import generate

pytestmark = pytest.mark.benchmark

N_NEEDS = int(os.environ.get("MATCHING_BENCH_NEEDS", "2000"))
N_OFFERS = int(os.environ.get("MATCHING_BENCH_OFFERS", "100000"))


@pytest.fixture(scope="module")
def fitted():
    needs, offers = generate(N_NEEDS, N_OFFERS, seed=0)
    start = time.perf_counter()
    matcher = Matcher(n_jobs=2).fit(offers)
    print(f"\nfit {N_OFFERS} offers: {time.perf_counter() - start:.1f} s")
    return matcher, needs


def test_batch_against_sparse_dot_topn(fitted):
    """Engine and baseline alternate ``MATCHING_BENCH_REPEATS`` times (default 3);
    the ratio reported is the median of the runs' ratios, with its range."""
    from sparse_dot_topn import sp_matmul_topn

    matcher, needs = fitted
    queries = matcher.text_model_.transform(needs, repair=True)["word"]
    offers_t = matcher._word.T.tocsr()
    ratios, engines, bares = [], [], []
    for _ in range(int(os.environ.get("MATCHING_BENCH_REPEATS", "3"))):
        start = time.perf_counter()
        ranked = matcher.rank(needs, top_k=10)
        engines.append(time.perf_counter() - start)
        start = time.perf_counter()
        sp_matmul_topn(queries, offers_t, top_n=10, n_threads=2)
        bares.append(time.perf_counter() - start)
        ratios.append(engines[-1] / bares[-1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{N_NEEDS} needs x {N_OFFERS} offers: engine {', '.join(f'{t:.2f}' for t in engines)} s, "
          f"sparse_dot_topn {', '.join(f'{t:.2f}' for t in bares)} s; "
          f"ratio median {np.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}); "
          f"peak RSS {peak:.0f} MB")
    assert len(ranked) == N_NEEDS
    assert peak < 4096


def test_single_need_latency(fitted):
    matcher, needs = fitted
    times = []
    for need in needs[:200]:
        start = time.perf_counter()
        matcher.rank([need], top_k=10)
        times.append(time.perf_counter() - start)
    p50, p95 = np.percentile(times, [50, 95]) * 1000
    print(f"\none need against {N_OFFERS} offers: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    assert p95 < 1000


def test_update_and_remove_one_offer(fitted):
    matcher, needs = fitted
    offer = matcher.offer_record(matcher.offer_ids_[0]) | {"id": "BENCH-NEW"}
    start = time.perf_counter()
    matcher.update_offers([offer])
    added = time.perf_counter() - start
    start = time.perf_counter()
    matcher.remove_offers(["BENCH-NEW"])
    removed = time.perf_counter() - start
    print(f"\nupdate_offers(1) {added * 1000:.0f} ms, remove_offers(1) {removed * 1000:.0f} ms "
          f"at {N_OFFERS} offers")
    assert "BENCH-NEW" not in matcher.row_of_
