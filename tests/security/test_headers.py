"""Security headers on every kind of response: pages, redirects, errors, static files."""

from __future__ import annotations

import pytest

from portal import create_app, security
from portal.config import TestingConfig

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
EVERYWHERE = {
    "Content-Security-Policy": EXPECTED_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_hardened(response) -> None:
    for name, value in EVERYWHERE.items():
        assert response.headers.get(name) == value, name
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers.get("Permissions-Policy"), "Permissions-Policy is missing"


def assert_not_stored(response) -> None:
    assert response.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("url, status", [
    ("/", 200),
    ("/auth/login", 200),
    ("/needs/", 302),                     # redirect to the login page
    ("/no-such-page", 404),
    ("/needs/1/submit", 405),             # GET on a POST-only address
    ("/static/no-such-file.css", 404),
])
def test_anonymous_responses_are_hardened(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_hardened(response)
    assert_not_stored(response)


def test_login_page_setting_a_session_cookie_is_not_stored(app):
    class Csrf(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = True

    response = create_app(Csrf).test_client().get("/auth/login")
    assert "session=" in response.headers.get("Set-Cookie", "")
    assert_not_stored(response)


@pytest.mark.parametrize("role_fixture", ["state_user", "donor_user", "coordinator", "admin_user"])
def test_pages_of_a_logged_in_user_are_hardened_and_not_stored(request, client, login, role_fixture):
    login(request.getfixturevalue(role_fixture))
    for url in ("/", "/needs/", "/offers/", "/matches/", "/inbox/", "/review/",
                "/admin/organisations", "/needs/999999"):
        response = client.get(url)
        assert response.status_code < 500, url
        assert_hardened(response)
        assert_not_stored(response)


def test_logout_redirect_is_hardened(client, login, state_user):
    login(state_user)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert_hardened(response)
    assert_not_stored(response)


def test_static_files_are_hardened_and_cacheable(client):
    with client.get("/static/app.css") as response:
        pass
    assert response.status_code == 200
    assert_hardened(response)
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.cache_control.public
    assert response.cache_control.max_age == security.STATIC_MAX_AGE


def test_static_files_stay_cacheable_for_a_logged_in_user(client, login, state_user):
    login(state_user)
    with client.get("/static/app.css") as response:
        pass
    assert "no-store" not in response.headers["Cache-Control"]


def test_internal_error_page_is_hardened(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/__explode", "explode", explode)
    response = app.test_client().get("/__explode")
    assert response.status_code == 500
    assert_hardened(response)
    assert_not_stored(response)


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_in_production(app):
    class Production(TestingConfig):
        ENV_NAME = "production"
        SECRET_KEY = "a-long-random-looking-key-0123456789abcdef"
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = False  # production refuses per-process counters; none is needed here

    production = create_app(Production)
    for url in ("/", "/static/app.css", "/no-such-page"):
        with production.test_client().get(url) as response:
            pass
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
