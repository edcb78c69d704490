"""Two gunicorn instances, one PostgreSQL database, one Redis: either may serve any request.

The application keeps nothing in process memory that another process
needs: sessions are signed cookies checked against the database, the login
limits are counted in Redis, rankings are stored in the database and each
process's fitted engine follows the database. Two production instances on
two ports prove it: a login made on one is honoured by the other (and its
logout too), a proposal made on one is decided on the other, an offer posted
on one is ranked by the other, and the login limit counts attempts on both.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role
from portal.config import TestingConfig
from portal.extensions import db
from portal.needs import services as needs_services
from portal.needs.models import Need
from portal.offers import services as offers_services
from tests.databases import scratch_database, suite_database_url
from tests.deploy.servers import Client, flask, gunicorns, production_environment, redis_available
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import PASSWORD, TOTP_SECRET

NEED_FORM = {
    "description": "Our prosecutors need training on obtaining electronic evidence from "
                   "service providers abroad through mutual legal assistance requests.",
    "language": "en", "working_languages": "en", "themes": "international_cooperation",
    "modalities": "mentoring", "beneficiaries": "central_authority", "budget_usd": "50000",
    "start": "2026-03", "end": "2027-03", "confidentiality": "public", "submit": "Submit",
}
OFFER_FORM = dict(NEED_FORM, provider="Valdoria", capacity="1",
                  description="Prosecutors of Valdoria mentor central authorities on mutual legal "
                              "assistance requests for electronic evidence.")
del OFFER_FORM["confidentiality"]


@pytest.fixture(scope="module")
def deployment():
    """The database (migrated with `flask db upgrade`) and people; the two instances' environment."""
    if not suite_database_url():
        pytest.skip("TEST_DATABASE_URL is not set: two instances need one PostgreSQL database")
    if not redis_available():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379: the limits are counted there")
    with scratch_database("instances") as url:
        env = production_environment(url)
        flask(env, "db", "upgrade")

        class Seed(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Seed)
        with app.app_context():
            people = {}
            for key, role, kind, country in (
                ("state", Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE, "KEN"),
                ("donor", Role.FOCAL_POINT, OrganisationKind.DONOR_STATE, None),
                ("coordinator", Role.COORDINATOR, OrganisationKind.SECRETARIAT, None),
            ):
                organisation = Organisation(name=f"{key.title()} organisation", kind=kind, country=country)
                db.session.add(organisation)
                user = auth_services.create_user(
                    email=f"{key}@example.org", name=f"{key.title()} Person", password=PASSWORD,
                    role=role, organisation=organisation)
                if role != Role.FOCAL_POINT:
                    user.totp_secret = TOTP_SECRET
                people[key] = user
            offers_services.create_offer(offer_fields(title="First offer"), people["donor"], submit=True)
            need = needs_services.create_need(need_fields(title="First need"), people["state"], submit=True)
            db.session.commit()
            ids = {"need": need.id}
            db.session.remove()
            db.engine.dispose()
        yield env, ids, url


@pytest.fixture(scope="module")
def instances(deployment, tmp_path_factory):
    """Instances A and B: two gunicorn processes with the same settings (booted once)."""
    env, _, _ = deployment
    with gunicorns(env, tmp_path_factory.mktemp("gunicorn")) as (a, b):
        yield a, b


def need_id(url: str, title: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        found = connection.execute(sa.select(Need.id).where(Need.title == title)).scalar_one()
    engine.dispose()
    return found


def test_two_instances_serve_the_same_users(deployment, instances):
    _, ids, database = deployment
    a, b = instances
    # A login on A is honoured on B: same cookie, same user.
    coordinator = Client()
    coordinator.log_in(a, "coordinator@example.org", staff=True)
    status, page = coordinator.get(b + "/auth/account")
    assert status == 200 and "Coordinator Person" in page
    assert Client().get(b + "/auth/account")[0] == 302  # without the cookie: to the login

    # A need submitted on B is ranked there: B's engine is now fitted, on the first offer.
    state = Client()
    state.log_in(b, "state@example.org")
    status, _, _ = state.post_form(b + "/needs/new", b + "/needs/new",
                                   dict(NEED_FORM, title="Early need on B"))
    assert status == 302
    donor = Client()
    donor.log_in(a, "donor@example.org")

    # An offer posted on A is ranked by B, whose engine was fitted before it, for
    # the next need submitted there.
    status, _, _ = donor.post_form(a + "/offers/new", a + "/offers/new",
                                   dict(OFFER_FORM, title="Offer posted on A"))
    assert status == 302
    status, _, _ = state.post_form(b + "/needs/new", b + "/needs/new",
                                   dict(NEED_FORM, title="Need submitted on B"))
    assert status == 302
    second_need = need_id(database, "Need submitted on B")
    status, page = coordinator.get(b + f"/review/needs/{second_need}")
    assert status == 200 and "Offer posted on A" in page

    # The coordinator proposes on A; the State decides on B; A shows the decision.
    review = a + f"/review/needs/{ids['need']}"
    status, page = coordinator.get(review)
    assert "First offer" in page
    offer_id = re.search(r'name="offer_id" value="(\d+)"', page).group(1)
    status, _, headers = coordinator.post_form(review, review + "/propose",
                                               {"offer_id": offer_id, "note": "Proposed on A"})
    assert status == 302
    status, inbox = state.get(b + "/inbox/")
    match_path = re.search(r'href="(/matches/\d+)">Answer the proposal', inbox).group(1)
    status, _, _ = state.post_form(b + match_path, b + match_path + "/decide",
                                   {"decision": "accepted", "submit": "Send the answer"})
    assert status == 302
    status, page = coordinator.get(a + match_path)
    assert re.search(r"<dt>Requesting State</dt><dd>Accepted", page)
    assert re.search(r"<dt>Donor</dt><dd>Waiting for an answer", page)
    # The donor accepts on A; B shows the match agreed.
    status, _, _ = donor.post_form(a + match_path, a + match_path + "/decide",
                                   {"decision": "accepted", "submit": "Send the answer"})
    assert status == 302
    status, page = state.get(b + match_path)
    assert re.search(r'<h1>Match <span class="status status-agreed">', page)

    # A logout on B ends the session everywhere: the same cookie is refused on A.
    stolen = dict(coordinator.cookies)
    status, _, _ = coordinator.post_form(b + "/auth/account", b + "/auth/logout", {})
    assert status == 302
    replay = Client()
    replay.cookies = stolen
    assert replay.get(a + "/auth/account")[0] == 302


def test_the_login_limit_counts_attempts_on_both_instances(instances):
    """20 attempts per account per 15 minutes, whichever instance receives them.

    The account is one nobody else used here (every attempt counts, successful
    ones too, and the other test logged its people in).
    """
    a, b = instances
    attacker = Client()
    statuses = []
    for attempt in range(21):
        base = a if attempt % 2 == 0 else b  # 11 attempts on A, 10 on B
        status, _, _ = attacker.post_form(base + "/auth/login", base + "/auth/login", {
            "email": "someone.else@example.org", "password": f"wrong password {attempt}"})
        statuses.append(status)
    assert statuses[:20] == [200] * 20  # refused, the form shown again
    assert statuses[20] == 429, "the 21st attempt went through: each instance counted apart"
