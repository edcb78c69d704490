"""Every state-changing request is refused without a CSRF token.

The suite's ``TestingConfig`` turns CSRF off to keep the other tests short;
here it is on, as in production, and every rule of the URL map that accepts
a state-changing method is tried with real ids of existing records, as
nobody and as each kind of user. CSRFProtect runs before the view, so the
400 must come before any 404 or 403 as well: a nonexistent id is tried too.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from flask import g
from werkzeug.routing import Rule

from portal import create_app
from portal.config import TestingConfig
from portal.extensions import db
from tests.fixtures.portal import TOTP_SECRET
from tests.security.records import make_records

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app(database_url):
    """The suite's ``app`` fixture, built with CSRF protection on as in production."""

    class CsrfConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = True

    app = create_app(CsrfConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def csrf_app(app):
    assert app.config["WTF_CSRF_ENABLED"]
    return app


def state_changing_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.methods & STATE_CHANGING]


def build_url(rule: Rule, ids: dict[str, object]) -> str:
    values = {name: ids[name] for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def page_token(client, url: str) -> str:
    """The CSRF token of the form on ``url``.

    The ``app`` fixture keeps one application context open for the whole test,
    so ``g`` (where Flask-WTF caches the token of the current request) outlives
    each request; drop it so the page makes and stores a token of its own, as
    it does in production where every request has a fresh ``g``.
    """
    g.pop("csrf_token", None)
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def log_in(client, user, password: str) -> None:
    """Log in through the real form, with the token of the login page."""
    response = client.post("/auth/login", data={
        "csrf_token": page_token(client, "/auth/login"), "email": user.email, "password": password,
    })
    if response.headers.get("Location", "").endswith("/auth/login/code"):  # staff: second factor
        response = client.post("/auth/login/code", data={
            "csrf_token": page_token(client, "/auth/login/code"), "code": pyotp.TOTP(TOTP_SECRET).now(),
        })
    assert response.status_code == 302, "login with a valid token failed"


#: The JSON API's blueprints: exempt from CSRF because they take no cookie, only
#: bearer tokens (portal.api.auth); a cookie alone gets 401 there.
API_BLUEPRINTS = {"api_needs", "api_offers", "api_matches"}


def refused_without_token(app, client, ids) -> list[str]:
    """Every (method, URL) that did not answer 400 to a request without a token
    (401 on the JSON API, which reads no cookie)."""
    accepted = []
    for rule in state_changing_rules(app):
        url = build_url(rule, ids)
        api = rule.endpoint.split(".")[0] in API_BLUEPRINTS
        for method in sorted(rule.methods & STATE_CHANGING):
            response = client.open(url, method=method, data={"reason": "x", "offer_id": "1"})
            if api:
                if response.status_code != 401:
                    accepted.append(f"{method} {url} -> {response.status_code}")
            elif response.status_code != 400 or b"CSRF" not in response.data:
                accepted.append(f"{method} {url} -> {response.status_code}")
    return accepted


def test_the_url_map_has_the_expected_state_changing_rules(app):
    endpoints = {rule.endpoint for rule in state_changing_rules(app)}
    # A smoke check that the walk sees the forms, so an empty walk cannot pass.
    assert {"auth.login", "auth.logout", "needs.new", "offers.new", "review.propose",
            "matches.decide", "matches.cancel", "admin.invite"} <= endpoints


def test_anonymous_post_without_token_is_refused(app, csrf_app, make_user):
    ids = make_records(make_user)
    client = csrf_app.test_client()
    assert refused_without_token(csrf_app, client, ids) == []


@pytest.mark.parametrize("role", ["state", "donor", "coordinator", "admin"])
def test_logged_in_post_without_token_is_refused(app, csrf_app, make_user, role):
    ids = make_records(make_user)
    client = csrf_app.test_client()
    log_in(client, ids["users"][role], ids["password"])
    assert client.get("/inbox/").status_code == 200, "not logged in"
    assert refused_without_token(csrf_app, client, ids) == []


def test_nonexistent_ids_are_refused_before_the_view(app, csrf_app, make_user):
    ids = make_records(make_user)
    client = csrf_app.test_client()
    log_in(client, ids["users"]["coordinator"], ids["password"])
    missing = {name: 987654 for name in ("need_id", "offer_id", "match_id", "organisation_id",
                                         "user_id", "notification_id", "token_id")}
    missing["token"] = "no-such-invitation"
    missing["users"] = ids["users"]
    assert refused_without_token(csrf_app, client, missing) == []


def test_a_wrong_token_is_refused(app, csrf_app, make_user):
    ids = make_records(make_user)
    client = csrf_app.test_client()
    log_in(client, ids["users"]["state"], ids["password"])
    client.get("/needs/new")
    response = client.post("/auth/logout", data={"csrf_token": "forged.token.value"})
    assert response.status_code == 400


def test_a_valid_token_is_accepted(app, csrf_app, make_user):
    """The positive control: the same requests pass with the page's token."""
    ids = make_records(make_user)
    client = csrf_app.test_client()
    log_in(client, ids["users"]["state"], ids["password"])
    token = page_token(client, "/needs/new")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[-900:]


def test_no_view_is_exempt_but_the_token_only_api(csrf_app):
    from portal.extensions import csrf

    assert not csrf._exempt_views
    assert {getattr(bp, "name", bp) for bp in csrf._exempt_blueprints} == API_BLUEPRINTS
