"""The second factor: required of staff, a code step at each login, optional for others."""

from __future__ import annotations

import re

import pytest

from portal.auth import services
from tests.fixtures.portal import PASSWORD
from tests.portal.auth.conftest import TOTP_SECRET, audit_events, code_now, wrong_code


def post_password(client, user, query=""):
    return client.post(f"/auth/login{query}", data={"email": user.email, "password": PASSWORD})


def post_code(client, code):
    return client.post("/auth/login/code", data={"code": code})


@pytest.mark.parametrize("role", ["coordinator", "admin_user"])
def test_staff_without_a_second_factor_must_set_it_up_first(totp_on, client, request, role):
    user = request.getfixturevalue(role)
    response = post_password(client, user)
    assert response.headers["Location"] == "/auth/totp"
    for url in ("/", "/review/", "/auth/account"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/auth/totp"


def test_the_setup_page_shows_the_secret_an_otpauth_link_and_an_svg_qr_code(totp_on, client,
                                                                              coordinator):
    post_password(client, coordinator)
    page = client.get("/auth/totp").get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    assert secret in page
    assert re.search(r'href="otpauth://totp/[^"]*secret=' + secret, page)
    assert "<svg" in page and "<script" not in page


def test_setting_up_with_the_right_code_enables_totp(totp_on, client, coordinator, db):
    post_password(client, coordinator)
    client.get("/auth/totp")
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    assert post_code_setup(client, wrong_code(secret)).status_code == 200
    assert coordinator.totp_secret is None
    response = post_code_setup(client, code_now(secret))
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.totp_secret == secret
    assert client.get("/auth/account").status_code == 200
    [event] = audit_events("auth.totp_enabled")
    assert event.subject_id == coordinator.id


def post_code_setup(client, code):
    return client.post("/auth/totp", data={"code": code})


def test_a_login_with_totp_asks_for_the_code(totp_on, client, coordinator, with_totp):
    with_totp(coordinator)
    response = post_password(client, coordinator)
    assert response.headers["Location"] == "/auth/login/code"
    assert client.get("/auth/account").status_code == 302  # not logged in yet
    assert not audit_events("auth.login_succeeded")


def test_a_wrong_code_is_refused_and_counted(totp_on, client, coordinator, with_totp, db):
    with_totp(coordinator)
    post_password(client, coordinator)
    response = post_code(client, wrong_code())
    assert response.status_code == 200
    assert "Wrong or expired code" in response.get_data(as_text=True)
    db.session.refresh(coordinator)
    assert coordinator.failed_login_count == 1
    assert audit_events("auth.login_failed")[-1].note == "wrong TOTP code"
    assert client.get("/auth/account").status_code == 302


def test_the_right_code_completes_the_login_and_keeps_next(totp_on, client, coordinator,
                                                           with_totp):
    with_totp(coordinator)
    post_password(client, coordinator, "?next=/review/")
    response = post_code(client, code_now())
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    assert client.get("/auth/account").status_code == 200
    [event] = audit_events("auth.login_succeeded")
    assert event.subject_id == coordinator.id


def test_the_code_page_without_a_password_step_goes_back_to_the_login(totp_on, client):
    response = post_code(client, "123456")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"


def test_a_stale_password_step_is_forgotten(totp_on, client, coordinator, with_totp):
    with_totp(coordinator)
    post_password(client, coordinator)
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = {**pending, "at": pending["at"] - 301}
    response = post_code(client, code_now())
    assert response.headers["Location"] == "/auth/login"


def test_wrong_codes_lock_the_account_like_wrong_passwords(totp_on, app, client, coordinator,
                                                           with_totp):
    app.config["LOCKOUT_THRESHOLD"] = 3
    with_totp(coordinator)
    post_password(client, coordinator)
    for _ in range(3):
        post_code(client, wrong_code())
    page = post_code(client, code_now()).get_data(as_text=True)
    assert "locked for a while" in page
    assert audit_events("auth.locked")


def test_focal_points_are_not_forced_but_may_enable_it(totp_on, client, state_user, with_totp,
                                                       auth):
    assert post_password(client, state_user).headers["Location"] == "/"
    assert client.get("/auth/account").status_code == 200
    auth.logout()
    with_totp(state_user)
    assert post_password(client, state_user).headers["Location"] == "/auth/login/code"


def test_without_the_requirement_staff_log_in_with_a_password(app, client, coordinator):
    app.config["REQUIRE_TOTP_FOR_STAFF"] = False
    assert not services.totp_required(coordinator)
    assert post_password(client, coordinator).headers["Location"] == "/"


def test_the_documented_fixture_change_logs_staff_in(totp_on, client, coordinator, with_totp):
    """What tests/fixtures/portal.py should do once TOTP is on in TestingConfig."""
    with_totp(coordinator, TOTP_SECRET)
    response = post_password(client, coordinator)
    if response.headers.get("Location") == "/auth/login/code":
        response = post_code(client, code_now())
    assert response.status_code == 302 and response.headers["Location"] == "/"
