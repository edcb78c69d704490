"""Account services: lockout, password rules at each entry point, sessions, TOTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth import services
from portal.auth.models import Role
from portal.database import utcnow
from portal.errors import ValidationError
from tests.fixtures.portal import PASSWORD
from tests.portal.auth.conftest import TOTP_SECRET, audit_events, code_now, wrong_code


def fail(email, password="not the password at all"):
    with pytest.raises(ValidationError) as error:
        services.check_credentials(email, password)
    return error.value


def test_twenty_wrong_passwords_lock_the_account(state_user, db):
    for _ in range(19):
        assert fail(state_user.email).message == services.WRONG_CREDENTIALS
    assert state_user.locked_until is None and state_user.failed_login_count == 19
    fail(state_user.email)
    assert state_user.locked_until > utcnow() + timedelta(minutes=14)
    assert len(audit_events("auth.locked")) == 1


def test_a_locked_account_refuses_the_right_password_until_the_lock_ends(state_user, db):
    state_user.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    assert fail(state_user.email, PASSWORD).message == services.ACCOUNT_LOCKED
    state_user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.check_credentials(state_user.email, PASSWORD) == state_user


def test_the_lockout_threshold_and_duration_come_from_the_configuration(app, state_user):
    app.config.update(LOCKOUT_THRESHOLD=3, LOCKOUT_DURATION=timedelta(hours=2))
    for _ in range(3):
        fail(state_user.email)
    assert state_user.locked_until > utcnow() + timedelta(minutes=119)


def test_a_completed_login_clears_the_failure_count(state_user):
    for _ in range(5):
        fail(state_user.email)
    user = services.check_credentials(state_user.email, PASSWORD)
    services.complete_login(user)
    assert (user.failed_login_count, user.locked_until) == (0, None)
    assert user.last_login_at is not None


def test_a_deactivated_account_is_refused_with_the_generic_message(state_user, db):
    state_user.active = False
    db.session.commit()
    assert fail(state_user.email, PASSWORD).message == services.WRONG_CREDENTIALS


def test_an_unknown_email_is_audited_without_a_subject(app):
    assert fail("Nobody@Example.org").message == services.WRONG_CREDENTIALS
    [event] = audit_events("auth.login_failed")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("user", None, None)
    assert "nobody@example.org" in event.note


def test_a_failure_on_a_known_account_is_audited_on_it(state_user):
    fail(state_user.email)
    [event] = audit_events("auth.login_failed")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("user", state_user.id, None)
    assert event.note == "wrong password"


def test_a_completed_login_is_audited(state_user):
    services.complete_login(state_user)
    [event] = audit_events("auth.login_succeeded")
    assert (event.subject_id, event.actor_id) == (state_user.id, state_user.id)


def test_create_user_applies_the_policy(make_organisation):
    with pytest.raises(ValidationError) as error:
        services.create_user(email="amina@example.org", name="Amina", password="password1234",
                             role=Role.FOCAL_POINT, organisation=make_organisation())
    assert error.value.field == "password"


def test_accepting_an_invitation_applies_the_policy_before_using_the_invitation(
        make_organisation, db):
    invitation, token = services.invite_user(
        email="wanjiru@example.org", name="Wanjiru", role=Role.FOCAL_POINT,
        organisation=make_organisation(), invited_by=None, valid_for=timedelta(days=1),
    )
    db.session.commit()
    with pytest.raises(ValidationError, match="e-mail address or your name"):
        services.accept_invitation(invitation, name="Wanjiru", password="wanjiru@example.org")
    assert services.find_open_invitation(token) is not None


def test_deactivation_ends_the_sessions(admin_user, state_user):
    version = state_user.session_version
    services.deactivate_user(state_user, acting=admin_user)
    assert state_user.session_version == version + 1


def test_changing_the_password_checks_the_current_one_and_the_policy(state_user):
    with pytest.raises(ValidationError) as error:
        services.change_password(state_user, current_password="wrong one entirely",
                                 new_password="a new long passphrase")
    assert error.value.field == "current_password"
    assert state_user.failed_login_count == 1
    with pytest.raises(ValidationError, match="most common"):
        services.change_password(state_user, current_password=PASSWORD,
                                 new_password="password1234")


def test_changing_the_password_ends_other_sessions_and_is_audited(state_user):
    version = state_user.session_version
    services.change_password(state_user, current_password=PASSWORD,
                             new_password="a new long passphrase")
    assert state_user.check_password("a new long passphrase")
    assert state_user.password_hash.startswith("$argon2id$")
    assert state_user.session_version == version + 1
    assert len(audit_events("auth.password_changed")) == 1


def test_enable_totp_stores_a_valid_secret_and_audits(coordinator):
    services.enable_totp(coordinator, TOTP_SECRET.lower())
    assert coordinator.totp_secret == TOTP_SECRET
    assert len(audit_events("auth.totp_enabled")) == 1


@pytest.mark.parametrize("secret", ["", "not base32!", "JBSWY3DP"])
def test_enable_totp_refuses_a_bad_or_short_secret(coordinator, secret):
    with pytest.raises(ValidationError):
        services.enable_totp(coordinator, secret)


def test_confirm_totp_needs_a_code_of_the_secret(coordinator):
    with pytest.raises(ValidationError):
        services.confirm_totp(coordinator, TOTP_SECRET, wrong_code())
    assert coordinator.totp_secret is None
    services.confirm_totp(coordinator, TOTP_SECRET, code_now())
    assert coordinator.totp_secret == TOTP_SECRET


def test_wrong_codes_count_towards_the_lockout(app, coordinator):
    app.config["LOCKOUT_THRESHOLD"] = 3
    services.enable_totp(coordinator, TOTP_SECRET)
    for _ in range(3):
        with pytest.raises(ValidationError):
            services.check_totp_code(coordinator, wrong_code())
    assert services.is_locked(coordinator)
    with pytest.raises(ValidationError, match="locked"):
        services.check_totp_code(coordinator, code_now())


def test_totp_is_required_of_staff_only_when_configured(app, coordinator, admin_user, state_user):
    app.config["REQUIRE_TOTP_FOR_STAFF"] = True
    assert services.needs_totp_setup(coordinator) and services.needs_totp_setup(admin_user)
    assert not services.needs_totp_setup(state_user)
    app.config["REQUIRE_TOTP_FOR_STAFF"] = False
    assert not services.needs_totp_setup(coordinator)


def test_disable_totp_forgets_the_secret_and_ends_sessions(coordinator):
    services.enable_totp(coordinator, TOTP_SECRET)
    version = coordinator.session_version
    services.disable_totp(coordinator)
    assert coordinator.totp_secret is None and coordinator.session_version == version + 1
