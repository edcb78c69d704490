"""Fixtures shared by the whole suite.

Every test that uses the ``app`` fixture runs on SQLite, and on PostgreSQL as
well when ``TEST_DATABASE_URL`` is set (CI sets it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def database_backends() -> list:
    backends = [pytest.param("sqlite://", id="sqlite")]
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        backends.append(pytest.param(url, id="postgresql"))
    return backends


@pytest.fixture(params=database_backends())
def database_url(request) -> str:
    return request.param


@pytest.fixture
def shared_dir() -> Path:
    """The evaluation sets beside the checkout; absent on a user's clone."""
    if not (SHARED_DIR / "eval").is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: evaluation sets are only beside the developers' checkout")
    return SHARED_DIR


pytest_plugins = ["tests.fixtures.portal"]
