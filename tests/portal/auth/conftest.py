"""Helpers for the account-security tests: cookies, codes, audit rows."""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa
from flask import g

from portal.audit.models import AuditEvent
from portal.auth import services
from portal.auth.models import Role
from portal.extensions import db as _db

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _without_totp(user):
    user.totp_secret = None
    _db.session.commit()
    return user


# Staff as a fresh account has them: no second factor yet, whatever the
# shared fixtures give staff to log in with.
@pytest.fixture
def coordinator(make_user):
    return _without_totp(make_user(Role.COORDINATOR))


@pytest.fixture
def admin_user(make_user):
    return _without_totp(make_user(Role.ADMIN))


@pytest.fixture
def totp_on(app):
    """Coordinators and administrators must use a second factor (as in production)."""
    app.config["REQUIRE_TOTP_FOR_STAFF"] = True
    return app


@pytest.fixture
def with_totp():
    """Give ``user`` the test TOTP secret."""

    def enable(user, secret=TOTP_SECRET):
        services.enable_totp(user, secret)
        _db.session.commit()
        return user

    return enable


def code_now(secret=TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret=TOTP_SECRET) -> str:
    """A 6-digit code valid in none of the time steps around now."""
    totp, now = pyotp.TOTP(secret), time.time()
    valid = {totp.at(now + 30 * offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555")
                if code not in valid)


def session_cookie(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def forget_loaded_user() -> None:
    """Make the next request load its user from the cookie again.

    The tests' app context outlives requests, and Flask-Login caches the user
    in its ``g``; in production every request has a fresh one.
    """
    g.pop("_login_user", None)


def replay(app, cookie_value: str):
    """A second browser that only has the captured session cookie."""
    forget_loaded_user()
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_value)
    return other


def audit_events(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ))
