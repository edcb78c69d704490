"""Cranfield collection as interchange records, and graded nDCG@10.

Conventions (shared/eval/ir/cranfield/README.md): queries are numbered
1..225 by position in ``cran.qry`` (their ``.I`` labels are not the ids used
in ``cranqrel``); code -1 is non-relevant; codes 1..4 are relevant with graded
gain ``5 - code``; CRLF line endings are accepted.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

_FIELD = re.compile(r"^\.([ITABW])\b ?(.*)$")


def _records(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    out: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    field = None
    for line in text.split("\n"):
        match = _FIELD.match(line)
        if match:
            field = match.group(1)
            if field == "I":
                current = {"label": match.group(2).strip()}
                out.append(current)
            else:
                current.setdefault(field, "")
            continue
        if current is not None and field and field != "I":
            current[field] = (current.get(field, "") + " " + line).strip()
    return out


def load(directory: Path) -> tuple[list[dict], list[dict], dict[str, dict[str, int]]]:
    """Return (queries as needs, documents as offers, graded qrels)."""
    docs = _records(directory / "cran.all.1400")
    queries = _records(directory / "cran.qry")
    offers = [{
        "id": f"D{int(d['label'])}", "provider": "cranfield",
        "title": (d.get("T") or "untitled")[:200],
        "description": (d.get("W") or d.get("T") or "empty")[:5000],
        "language": "en", "working_languages": ["en"],
    } for d in docs]
    needs = [{
        "id": f"Q{i}", "country": "GBR", "title": q.get("W", "")[:200],
        "description": q.get("W", ""), "language": "en", "working_languages": ["en"],
    } for i, q in enumerate(queries, start=1)]
    qrels: dict[str, dict[str, int]] = {}
    for line in (directory / "cranqrel").read_bytes().decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        query, doc, code = int(parts[0]), int(parts[1]), int(parts[2])
        if 1 <= code <= 4:
            qrels.setdefault(f"Q{query}", {})[f"D{doc}"] = 5 - code
    return needs, offers, qrels


def ndcg10(ranked: list[str], gains: dict[str, int]) -> float:
    """nDCG@10 with linear graded gain (5 - code)."""
    def dcg(values: list[int]) -> float:
        return sum(g / math.log2(i + 2) for i, g in enumerate(values[:10]))
    ideal = dcg(sorted(gains.values(), reverse=True))
    return dcg([gains.get(d, 0) for d in ranked]) / ideal if ideal else 0.0


def mean_ndcg10(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> float:
    """Mean nDCG@10 over the queries that have relevant documents."""
    values = [ndcg10(rankings.get(q, []), gains) for q, gains in qrels.items()]
    return sum(values) / len(values)
