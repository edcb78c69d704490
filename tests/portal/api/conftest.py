"""Tokens for the API tests."""

from __future__ import annotations

import pytest

from portal.api import services
from portal.extensions import db


@pytest.fixture
def make_token(app):
    """Return a function making an API token for a user; it returns the clear token."""

    def make(user, name: str = "test") -> str:
        _, clear = services.create_token(user, name)
        db.session.commit()
        return clear

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
