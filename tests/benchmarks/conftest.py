"""Benchmarks run on demand only: ``pytest tests/benchmarks -m benchmark`` (or
set ``MATCHING_BENCHMARKS=1``). A plain ``pytest`` run skips them at once."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    wanted = "benchmark" in (config.getoption("-m") or "") or os.environ.get(
        "MATCHING_BENCHMARKS")
    if wanted:
        return
    skip = pytest.mark.skip(reason="benchmark: run with `pytest tests/benchmarks -m benchmark`"
                                   " or MATCHING_BENCHMARKS=1")
    for item in items:
        if "benchmark" in item.keywords:
            item.add_marker(skip)
