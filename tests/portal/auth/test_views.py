"""The login form: hashes upgraded, lockout, audit, ``?next=`` and the pages around it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from portal.auth import services
from portal.auth.views import safe_next_url
from portal.database import utcnow
from tests.fixtures.portal import PASSWORD
from tests.portal.auth.conftest import audit_events


def post_login(client, email, password=PASSWORD, query=""):
    return client.post(f"/auth/login{query}", data={"email": email, "password": password})


def test_the_login_page_has_no_remember_me(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="password"' in page and "remember" not in page.lower()


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2id_at_login(client, state_user, db):
    state_user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256")
    db.session.commit()
    assert post_login(client, state_user.email).status_code == 302
    db.session.refresh(state_user)
    assert state_user.password_hash.startswith("$argon2id$")
    assert state_user.check_password(PASSWORD)


def test_a_failed_login_does_not_upgrade_the_hash(client, state_user, db):
    old_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256")
    state_user.password_hash = old_hash
    db.session.commit()
    assert post_login(client, state_user.email, "a wrong password").status_code == 200
    db.session.refresh(state_user)
    assert state_user.password_hash == old_hash


def test_an_argon2_hash_below_todays_cost_is_rehashed_at_login(app, client, state_user, db):
    app.config["ARGON2_TIME_COST"] = 2
    assert post_login(client, state_user.email).status_code == 302
    db.session.refresh(state_user)
    assert "t=2" in state_user.password_hash


def test_twenty_wrong_passwords_lock_the_account_for_a_while(client, state_user, db):
    for _ in range(20):
        page = post_login(client, state_user.email, "a wrong password").get_data(as_text=True)
        assert "Unknown e-mail or wrong password." in page
    response = post_login(client, state_user.email)  # the right password, during the lock
    assert response.status_code == 200
    assert "locked for a while" in response.get_data(as_text=True)
    db.session.refresh(state_user)
    state_user.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes later
    db.session.commit()
    assert post_login(client, state_user.email).status_code == 302


def test_a_login_and_its_failures_are_audited(client, state_user):
    post_login(client, "nobody@example.org")
    post_login(client, state_user.email, "a wrong password")
    post_login(client, state_user.email)
    unknown, wrong = audit_events("auth.login_failed")
    assert (unknown.subject_id, unknown.actor_id, unknown.note) == (
        None, None, "unknown e-mail: nobody@example.org")
    assert (wrong.subject_id, wrong.actor_id) == (state_user.id, None)
    [success] = audit_events("auth.login_succeeded")
    assert (success.subject_id, success.actor_id) == (state_user.id, state_user.id)


def test_logout_is_audited(client, login, state_user):
    login(state_user)
    client.post("/auth/logout")
    [event] = audit_events("auth.logout")
    assert (event.subject_id, event.actor_id) == (state_user.id, state_user.id)


@pytest.mark.parametrize("target", [
    "//evil.com", "/\\evil.com", "\\\\evil.com", "https:evil.com", "https://evil.com/",
    "javascript:alert(1)", "%2F%2Fevil.com", "/\t/evil.com", "/\n/evil.com", "evil.com",
    "http:/\\evil.com", " //evil.com", "///evil.com",
])
def test_next_never_leaves_the_site(client, state_user, target):
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": state_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_path_of_the_site(client, state_user):
    response = client.post("/auth/login", query_string={"next": "/needs/?page=2"},
                           data={"email": state_user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/needs/?page=2"


@pytest.mark.parametrize("target", ["", None, "//x", "/\\x", "javascript:x", "HTTPS://x"])
def test_safe_next_url_refuses(target):
    assert safe_next_url(target) is None


def test_the_account_page_needs_a_login(client):
    response = client.get("/auth/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_user_changes_their_password_and_stays_logged_in(client, login, state_user, db):
    login(state_user)
    response = client.post("/auth/password", data={
        "current_password": PASSWORD, "password": "a brand new passphrase",
        "confirm": "a brand new passphrase",
    })
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 200
    assert services.authenticate(state_user.email, "a brand new passphrase") is not None


def test_a_common_new_password_is_refused_on_the_form(client, login, state_user):
    login(state_user)
    page = client.post("/auth/password", data={
        "current_password": PASSWORD, "password": "password1234", "confirm": "password1234",
    }).get_data(as_text=True)
    assert "most common passwords" in page
    assert services.authenticate(state_user.email, PASSWORD) is not None
