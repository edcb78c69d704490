"""`flask users ...`: each command's success and each of its errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth import services
from portal.auth.models import Organisation, OrganisationKind, Role, User
from portal.database import utcnow
from tests.fixtures.portal import PASSWORD, count_rows


@pytest.fixture
def state_organisation(make_organisation):
    return make_organisation(OrganisationKind.REQUESTING_STATE, name="Kenya", country="KEN")


def create(runner, *options, password=PASSWORD):
    args = ["users", "create", "--email", "amina@example.org", "--name", "Amina Odhiambo",
            "--role", "focal_point", *options, "--password-stdin"]
    return runner.invoke(args=args, input=f"{password}\n")


def test_create_makes_a_user_who_can_log_in(runner, state_organisation):
    result = create(runner, "--organisation", "Kenya")
    assert result.exit_code == 0, result.output
    assert "Created focal_point amina@example.org in Kenya" in result.output
    assert services.authenticate("amina@example.org", PASSWORD).organisation_id == state_organisation.id


def test_create_prompts_twice_for_the_password(runner, make_organisation):
    make_organisation(OrganisationKind.SECRETARIAT, name="Secretariat")
    result = runner.invoke(args=[
        "users", "create", "--email", "admin@example.org", "--name", "Admin", "--role", "admin",
        "--organisation", "Secretariat",
    ], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert services.authenticate("admin@example.org", PASSWORD).role == Role.ADMIN


def test_create_can_create_the_state_organisation(runner):
    result = create(runner, "--organisation", "Ghana", "--create-organisation", "requesting_state",
                    "--country", "gha")
    organisation = services.find_organisation("Ghana")
    assert result.exit_code == 0, result.output
    assert (organisation.kind, organisation.country) == (OrganisationKind.REQUESTING_STATE, "GHA")
    assert services.find_user("amina@example.org").organisation_id == organisation.id


def assert_refused(result, *words):
    assert result.exit_code != 0
    for word in words:
        assert word in result.output
    assert count_rows(User) == 0


def test_create_refuses_an_unknown_organisation(runner):
    assert_refused(create(runner, "--organisation", "Atlantis"), "--organisation", "Atlantis")


def test_create_refuses_a_state_without_country_and_creates_nothing(runner):
    result = create(runner, "--organisation", "Ghana", "--create-organisation", "requesting_state")
    assert_refused(result, "--country", "a requesting State needs its country")
    assert count_rows(Organisation) == 0


def test_create_refuses_an_unknown_country_code(runner):
    result = create(runner, "--organisation", "Oz", "--create-organisation", "requesting_state",
                    "--country", "OZZ")
    assert_refused(result, "--country", "OZZ")


def test_create_refuses_country_without_create_organisation(runner, state_organisation):
    assert_refused(create(runner, "--organisation", "Kenya", "--country", "KEN"), "--country")


def test_create_refuses_to_recreate_an_existing_organisation(runner, state_organisation):
    result = create(runner, "--organisation", "Kenya", "--create-organisation", "requesting_state",
                    "--country", "KEN")
    assert_refused(result, "--organisation", "already exists")


def test_create_refuses_a_coordinator_outside_the_secretariat(runner, state_organisation):
    result = runner.invoke(args=[
        "users", "create", "--email", "c@example.org", "--name", "C", "--role", "coordinator",
        "--organisation", "Kenya", "--password-stdin",
    ], input=f"{PASSWORD}\n")
    assert_refused(result, "--role", "secretariat")


def test_create_refuses_an_unknown_role(runner, state_organisation):
    result = runner.invoke(args=[
        "users", "create", "--email", "c@example.org", "--name", "C", "--role", "king",
        "--organisation", "Kenya", "--password-stdin",
    ], input=f"{PASSWORD}\n")
    assert_refused(result, "--role", "king")


def test_create_refuses_a_taken_email(runner, state_organisation, make_user):
    make_user(email="amina@example.org", organisation=state_organisation)
    result = create(runner, "--organisation", "Kenya")
    assert result.exit_code != 0
    assert "--email" in result.output and "already exists" in result.output
    assert count_rows(User) == 1


def test_create_refuses_a_short_password(runner, state_organisation):
    assert_refused(create(runner, "--organisation", "Kenya", password="short"),
                   "password", "at least 12 characters")


def test_a_refused_user_leaves_no_new_organisation(runner, state_organisation):
    result = create(runner, "--organisation", "Ghana", "--create-organisation", "requesting_state",
                    "--country", "GHA", password="short")
    assert_refused(result, "password")
    assert services.find_organisation("Ghana") is None


def test_invite_prints_a_working_link(runner, state_organisation):
    result = runner.invoke(args=[
        "users", "invite", "--email", "wanjiru@example.org", "--name", "Wanjiru",
        "--role", "focal_point", "--organisation", "Kenya", "--base-url", "https://match.example.org",
    ])
    link = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0, result.output
    assert link.startswith("https://match.example.org/auth/invitation/")
    assert services.find_open_invitation(link.rsplit("/", 1)[1]).email == "wanjiru@example.org"


def test_invite_refuses_a_focal_point_in_the_secretariat(runner, make_organisation):
    make_organisation(OrganisationKind.SECRETARIAT, name="Secretariat")
    result = runner.invoke(args=[
        "users", "invite", "--email", "x@example.org", "--name", "X", "--role", "focal_point",
        "--organisation", "Secretariat",
    ])
    assert result.exit_code != 0
    assert "--role" in result.output


def test_list_shows_each_user_with_role_and_state(runner, make_user, state_organisation, db):
    make_user(email="amina@example.org", organisation=state_organisation)
    gone = make_user(email="gone@example.org", organisation=state_organisation)
    gone.active = False
    db.session.commit()
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert any("amina@example.org" in line and "active" in line and "Kenya" in line for line in lines)
    assert any("gone@example.org" in line and "deactivated" in line for line in lines)


def test_deactivate_stops_the_user_logging_in(runner, state_user):
    result = runner.invoke(args=["users", "deactivate", state_user.email.upper()])
    assert result.exit_code == 0, result.output
    assert services.authenticate(state_user.email, PASSWORD) is None


def test_deactivate_refuses_an_unknown_email(runner):
    result = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert result.exit_code != 0
    assert "nobody@example.org" in result.output


def test_deactivate_refuses_the_last_administrator(runner, admin_user):
    result = runner.invoke(args=["users", "deactivate", admin_user.email])
    assert result.exit_code != 0
    assert "last active administrator" in result.output
    assert services.find_user(admin_user.email).active


def test_create_refuses_a_common_password(runner, state_organisation):
    assert_refused(create(runner, "--organisation", "Kenya", password="password1234"),
                   "password", "most common passwords")


def test_create_refuses_the_email_as_password(runner, state_organisation):
    assert_refused(create(runner, "--organisation", "Kenya", password="amina@example.org"),
                   "password", "e-mail address or your name")


def test_create_stores_an_argon2id_hash(runner, state_organisation):
    create(runner, "--organisation", "Kenya")
    assert services.find_user("amina@example.org").password_hash.startswith("$argon2id$")


def test_reset_totp_forgets_the_second_factor(runner, coordinator):
    services.enable_totp(coordinator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    result = runner.invoke(args=["users", "reset-totp", coordinator.email])
    assert result.exit_code == 0, result.output
    assert services.find_user(coordinator.email).totp_secret is None


def test_unlock_ends_a_lockout(runner, state_user, db):
    state_user.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    result = runner.invoke(args=["users", "unlock", state_user.email])
    assert result.exit_code == 0, result.output
    assert services.authenticate(state_user.email, PASSWORD) is not None
