"""Text model alone on Cranfield, against BM25 in the same process.

Convention: queries numbered 1..225 by position, code -1 non-relevant, graded
gain 5 - code, nDCG@10 (see shared/eval/ir/cranfield/README.md). BM25 is
rank_bm25's Okapi with default parameters over lowercase word tokens with the
scikit-learn English stop words removed.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from matching import Matcher
from tests.benchmarks.cranfield import load, mean_ndcg10
from tests.matching.conftest import SHARED

CRANFIELD = SHARED / "eval" / "ir" / "cranfield"

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def collection():
    if not (CRANFIELD / "cran.all.1400").is_file():
        pytest.skip(f"Cranfield not found at {CRANFIELD} (only CI has the shared folder)")
    return load(CRANFIELD)


def bm25_rankings(needs, offers):
    from rank_bm25 import BM25Okapi
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def tokens(text):
        return [w for w in re.findall(r"\w+", text.lower()) if w not in ENGLISH_STOP_WORDS]

    bm25 = BM25Okapi([tokens(f"{o['title']} {o['description']}") for o in offers])
    ids = [o["id"] for o in offers]
    return {n["id"]: [ids[j] for j in np.argsort(-bm25.get_scores(tokens(n["description"])),
                                                 kind="stable")[:10]] for n in needs}


def test_text_only_beats_bm25(collection):
    needs, offers, qrels = collection
    ranked = Matcher().fit(offers).rank(needs, top_k=10, text_only=True)
    engine = mean_ndcg10({k: [c.offer_id for c in v] for k, v in ranked.items()}, qrels)
    bm25 = mean_ndcg10(bm25_rankings(needs, offers), qrels)
    print(f"\nCranfield nDCG@10 (gain 5-code, -1 non-relevant): engine text-only "
          f"{engine:.4f}, BM25 {bm25:.4f}, ratio {engine / bm25:.3f}")
    assert engine >= 0.36
    assert engine > bm25
