"""Command line: ``python -m matching rank ...`` and ``python -m matching evaluate DIR``.

``python -m matching evaluate DIR --simulate-decisions`` splits the needs into
a training and a held-out part, simulates a coordinator's decisions on the
training needs from DIR/gold.json, fits the decision re-ranker on them, and
reports the held-out needs before (hand weights) and after (re-ranker), for
``--repeats`` seeds.

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

from matching.evaluate import (
    baseline_rankings,
    evaluate_rankings,
    format_learning,
    format_report,
    simulate_learning,
)
from matching.io import InputError, read_gold, read_needs, read_offers, write_json
from matching.matcher import Matcher
from matching.rerank import TooFewDecisions


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
    ev.add_argument("--simulate-decisions", action="store_true",
                    help="train the re-ranker on decisions simulated from the gold grades of "
                         "a training split; report the held-out needs before and after")
    ev.add_argument("--train-share", type=float, default=0.5,
                    help="share of the needs used for training (default 0.5)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the first split (default 0)")
    ev.add_argument("--repeats", type=int, default=5,
                    help="number of splits, seeds SEED to SEED+REPEATS-1 (default 5)")
    ev.add_argument("--positive-grade", type=int, default=1, choices=(1, 2),
                    help="lowest gold grade the simulated coordinator proposes; lower-graded "
                         "candidates are rejected (default 1)")
    ev.add_argument("--depth", type=int, default=20,
                    help="candidates per training need the coordinator decides on (default 20)")
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
    if args.simulate_decisions:
        return _simulate(args, needs, offers, gold)
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


def _simulate(args: argparse.Namespace, needs: list, offers: list, gold: dict) -> int:
    if not 0 < args.train_share < 1:
        print("error: --train-share must be between 0 and 1 (exclusive)", file=sys.stderr)
        return 2
    if args.repeats < 1 or args.depth < 1:
        print("error: --repeats and --depth must be positive integers", file=sys.stderr)
        return 2
    try:
        result = simulate_learning(
            needs, offers, gold, train_share=args.train_share,
            seeds=range(args.seed, args.seed + args.repeats), top_k=args.top_k,
            depth=args.depth, positive_grade=args.positive_grade)
    except TooFewDecisions as exc:
        print(f"error: too few simulated decisions to learn from: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_learning(result))
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
