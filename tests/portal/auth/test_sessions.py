"""Sessions end for real: replayed cookies, idle and absolute limits, cookie flags."""

from __future__ import annotations

import time

import pytest

from portal import create_app
from portal.auth import services
from portal.auth.models import OrganisationKind, Role
from portal.config import Config
from portal.extensions import db as _db
from tests.fixtures.portal import PASSWORD
from tests.portal.auth.conftest import forget_loaded_user, replay, session_cookie

PROTECTED = "/auth/account"


def refused(response) -> bool:
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_copied_cookie_works_while_the_session_lives(app, client, login, state_user):
    login(state_user)
    assert replay(app, session_cookie(client, app)).get(PROTECTED).status_code == 200


def test_a_cookie_captured_before_logout_is_refused_after_it(app, client, login, auth, state_user):
    login(state_user)
    captured = session_cookie(client, app)
    auth.logout()
    assert refused(replay(app, captured).get(PROTECTED))


def test_a_cookie_is_refused_once_its_user_is_deactivated(app, client, login, state_user,
                                                          admin_user, db):
    login(state_user)
    captured = session_cookie(client, app)
    services.deactivate_user(state_user, acting=admin_user)
    db.session.commit()
    assert refused(replay(app, captured).get(PROTECTED))
    services.reactivate_user(state_user)  # and coming back does not revive the old cookie
    db.session.commit()
    assert refused(replay(app, captured).get(PROTECTED))


def test_a_password_change_ends_the_other_sessions(app, client, login, state_user, db):
    login(state_user)
    captured = session_cookie(client, app)
    services.change_password(state_user, current_password=PASSWORD,
                             new_password="another long passphrase")
    db.session.commit()
    assert refused(replay(app, captured).get(PROTECTED))


def test_a_session_ends_after_thirty_idle_minutes(client, login, state_user):
    login(state_user)
    with client.session_transaction() as session:
        session["seen_at"] -= 29 * 60
    assert client.get(PROTECTED).status_code == 200  # and the request counts as activity
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60
    assert refused(client.get(PROTECTED))
    assert refused(client.get(PROTECTED))  # logged out for good, not only once


def test_a_session_ends_twelve_hours_after_the_login_even_when_active(client, login, state_user):
    login(state_user)
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - 12 * 3600 - 1
    assert refused(client.get(PROTECTED))


def test_a_session_without_timestamps_is_refused(client, login, state_user):
    login(state_user)
    with client.session_transaction() as session:
        del session["auth_at"]
    assert refused(client.get(PROTECTED))


def test_a_session_id_without_version_is_refused(client, login, state_user):
    login(state_user)
    with client.session_transaction() as session:
        session["_user_id"] = str(state_user.id)  # as Flask-Login wrote it before versions
    forget_loaded_user()
    assert refused(client.get(PROTECTED))


@pytest.fixture
def production_app(database_url):
    class ProductionForTest(Config):
        SECRET_KEY = "production-test-key-" + "x" * 32
        SQLALCHEMY_DATABASE_URI = database_url
        SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        ARGON2_TIME_COST, ARGON2_MEMORY_COST, ARGON2_PARALLELISM = 1, 8, 1
        # Production refuses per-process counters; this test is about cookies, not limits.
        RATELIMIT_ENABLED = False

    app = create_app(ProductionForTest)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_production_session_cookies_are_secure_httponly_samesite_and_host_only(production_app):
    organisation = services.create_organisation(
        services.OrganisationInfo(name="Kenya", kind=OrganisationKind.REQUESTING_STATE, country="KEN"))
    services.create_user(email="amina@example.org", name="Amina", password=PASSWORD,
                         role=Role.FOCAL_POINT, organisation=organisation)
    _db.session.commit()
    client = production_app.test_client()
    response = client.post("/auth/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/auth/login"}, data={
        "email": "amina@example.org", "password": PASSWORD,
        "csrf_token": _csrf_token(client),
    })
    assert response.status_code == 302
    [cookie] = [value for value in response.headers.getlist("Set-Cookie")
                if value.startswith("__Host-session=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert {"secure", "httponly", "path"} <= attributes.keys()
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["path"] == "Path=/" and "domain" not in attributes
    assert "expires" in attributes  # a permanent session, bounded by the absolute limit


def _csrf_token(client) -> str:
    import re

    page = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_production_keeps_the_limits_and_the_second_factor():
    assert Config.SESSION_IDLE_TIMEOUT.total_seconds() <= 30 * 60
    assert Config.SESSION_ABSOLUTE_TIMEOUT.total_seconds() <= 12 * 3600
    assert Config.PERMANENT_SESSION_LIFETIME <= Config.SESSION_ABSOLUTE_TIMEOUT
    assert Config.REQUIRE_TOTP_FOR_STAFF and Config.RATELIMIT_ENABLED
    assert (Config.LOCKOUT_THRESHOLD, Config.LOCKOUT_DURATION.total_seconds()) == (20, 900)
