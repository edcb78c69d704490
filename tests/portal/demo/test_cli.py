"""`flask demo load`: idempotent demo data and one account per role."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from portal.auth.access import is_donor_focal_point, is_state_focal_point
from portal.auth.models import Organisation, User
from portal.demo.services import DEMO_ACCOUNTS, DEMO_TOTP_SECRET, DONOR_PROVIDER, DRAFT_NEEDS
from portal.extensions import db
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import Status
from tests.fixtures.portal import count_rows

ACCOUNTS = {account.email: account for account in DEMO_ACCOUNTS}


def load(runner, *options):
    return runner.invoke(args=["demo", "load", *options])


def counts() -> tuple[int, ...]:
    return tuple(count_rows(model) for model in (Need, Offer, Organisation, User))


def test_loading_twice_duplicates_nothing(runner):
    assert load(runner).exit_code == 0
    first = counts()
    result = load(runner)
    assert result.exit_code == 0, result.output
    assert counts() == first
    assert first[:2] == (80, 70)


def test_every_load_prints_the_logins_and_the_address(runner):
    load(runner)
    output = load(runner).output
    for account in DEMO_ACCOUNTS:
        assert f"{account.email}  " in output and account.password in output
    assert "http://127.0.0.1:5000" in output


def test_demo_passwords_are_long_enough():
    assert all(len(account.password) >= 12 for account in DEMO_ACCOUNTS)


def test_the_demo_state_user_can_log_in(runner, auth):
    load(runner)
    response = auth.login("kenya@demo.example.org", ACCOUNTS["kenya@demo.example.org"].password)
    user = db.session.scalar(sa.select(User).where(User.email == "kenya@demo.example.org"))
    assert response.status_code == 302
    assert user.last_login_at is not None


def test_the_state_accounts_belong_to_their_states(runner):
    load(runner)
    for email, country in (("kenya@demo.example.org", "KEN"), ("nigeria@demo.example.org", "NGA")):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert is_state_focal_point(user)
        assert user.organisation.country == country


def test_the_kenyan_account_owns_the_two_kenyan_needs(runner):
    load(runner)
    kenya = db.session.scalar(sa.select(User).where(User.email == "kenya@demo.example.org"))
    refs = db.session.scalars(sa.select(Need.ref).where(Need.organisation_id == kenya.organisation_id))
    assert sorted(refs) == ["R042", "R060"]


def test_the_donor_account_belongs_to_an_english_speaking_provider(runner):
    load(runner)
    donor = db.session.scalar(sa.select(User).where(User.email == "donor@demo.example.org"))
    languages = set(db.session.scalars(
        sa.select(Offer.language).where(Offer.organisation_id == donor.organisation_id)))
    assert is_donor_focal_point(donor)
    assert donor.organisation.name == DONOR_PROVIDER
    assert languages == {"en"}


def test_some_state_needs_stay_drafts_after_a_reload(runner):
    load(runner)
    load(runner)
    statuses = dict(db.session.execute(sa.select(Need.ref, Need.status)).all())
    assert {statuses[ref] for ref in DRAFT_NEEDS} == {Status.DRAFT}
    assert statuses["R042"] == Status.SUBMITTED


def test_a_reload_restores_a_changed_demo_password(runner, auth):
    load(runner)
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example.org"))
    admin.set_password("someone changed it")
    db.session.commit()
    load(runner)
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()  # the printed demo key
    assert auth.login(admin.email, ACCOUNTS[admin.email].password, code=code).status_code == 302


def test_demo_staff_get_the_printed_totp_key(runner):
    output = load(runner).output
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example.org"))
    assert admin.totp_secret == DEMO_TOTP_SECRET and DEMO_TOTP_SECRET in output


def test_production_is_refused_without_force(app, runner):
    app.config["ENV_NAME"] = "production"
    result = load(runner)
    assert result.exit_code != 0
    assert "production" in result.output and "--force" in result.output
    assert counts() == (0, 0, 0, 0)


def test_production_is_loaded_with_force(app, runner):
    app.config["ENV_NAME"] = "production"
    assert load(runner, "--force").exit_code == 0
    assert count_rows(User) == len(DEMO_ACCOUNTS)
