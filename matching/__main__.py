"""Command line: ``python -m matching rank ...`` and ``python -m matching evaluate DIR``.

Exit codes: 0 on success, 2 on bad input (one line on stderr naming the file,
record and field).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from matching.evaluate import baseline_rankings, evaluate_rankings, format_report
from matching.io import InputError, read_gold, read_needs, read_offers, write_json
from matching.matcher import Matcher


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m matching",
                                     description="Rank donor offers for capacity-building needs.")
    sub = parser.add_subparsers(dest="command", required=True)
    rank = sub.add_parser("rank", help="rank offers for each request; JSON on stdout")
    rank.add_argument("--requests", required=True, type=Path)
    rank.add_argument("--offers", required=True, type=Path)
    rank.add_argument("--top-k", type=int, default=10)
    rank.add_argument("--text-only", action="store_true",
                      help="text model alone: no hard constraints, no structured features")
    ev = sub.add_parser("evaluate", help="metrics against DIR/gold.json")
    ev.add_argument("directory", type=Path)
    ev.add_argument("--top-k", type=int, default=10)
    ev.add_argument("--baseline", action="store_true",
                    help="also report plain TF-IDF cosine, unfiltered and filtered")
    ev.add_argument("--json", action="store_true", help="print the reports as JSON")
    return parser


def _rank(args: argparse.Namespace) -> int:
    needs, offers = read_needs(args.requests), read_offers(args.offers)
    result = Matcher().fit(offers).rank(needs, top_k=args.top_k, text_only=args.text_only)
    payload = {nid: [{"offer": c.offer_id, "score": round(c.score, 4),
                      "reasons": [r.text for r in c.reasons]} for c in cands]
               for nid, cands in result.items()}
    print(write_json(payload))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    directory = args.directory
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    needs = read_needs(directory / "requests.json")
    offers = read_offers(directory / "offers.json")
    gold = read_gold(directory / "gold.json")
    ranked = Matcher().fit(offers).rank(needs, top_k=args.top_k)
    reports = {"engine": evaluate_rankings(
        {nid: [c.offer_id for c in cands] for nid, cands in ranked.items()}, needs, offers, gold)}
    if args.baseline:
        for name, filtered in (("tfidf_cosine", False), ("tfidf_cosine_filtered", True)):
            reports[name] = evaluate_rankings(
                baseline_rankings(needs, offers, filtered=filtered, top_k=args.top_k),
                needs, offers, gold)
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print("\n\n".join(format_report(name, rep) for name, rep in reports.items()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if getattr(args, "top_k", 1) < 1:
        print("error: --top-k must be a positive integer", file=sys.stderr)
        return 2
    try:
        return _rank(args) if args.command == "rank" else _evaluate(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
