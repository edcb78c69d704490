"""Two people acting at the same moment, through a real threaded server.

Each test starts the application on 127.0.0.1 with a database that several
connections share (a SQLite file in WAL mode, or PostgreSQL), logs two users
in with their own cookies, and fires both requests at once.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pyotp
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal import create_app
from portal.audit.models import AuditEvent
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role
from portal.config import TestingConfig
from portal.extensions import db
from portal.matches import workflow
from portal.matches.models import Decision, Match, MatchStatus
from portal.needs import services as needs
from portal.offers import services as offers
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import PASSWORD, TOTP_SECRET


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's cookies and requests against the live server."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            return error.code, error.read().decode()

    def login(self, email: str) -> None:
        status, _ = self.post("/auth/login", {"email": email, "password": PASSWORD})
        assert status == 302, f"login of {email} failed"
        if email.startswith("secretariat"):  # staff: the second step asks for a TOTP code
            status, _ = self.post("/auth/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
            assert status == 302, f"second factor of {email} failed"


@pytest.fixture
def live(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'live.sqlite'}"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def make_user(role: Role, kind: OrganisationKind, name: str, country: str | None = None):
    organisation = Organisation(name=name, kind=kind, country=country)
    db.session.add(organisation)
    user = auth_services.create_user(email=f"{name.lower().replace(' ', '.')}@example.org",
                                     name=name, password=PASSWORD, role=role, organisation=organisation)
    if role != Role.FOCAL_POINT:
        user.totp_secret = TOTP_SECRET
    db.session.commit()
    return user


def at_once(*calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # surfaced below, in the test's own thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def test_two_coordinators_propose_the_same_offer_at_once(live):
    app, base_url = live
    state = make_user(Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE, "Kenya", "KEN")
    donor = make_user(Role.FOCAL_POINT, OrganisationKind.DONOR_STATE, "Valdoria")
    coordinators = [make_user(Role.COORDINATOR, OrganisationKind.SECRETARIAT, f"Secretariat {i}")
                    for i in (1, 2)]
    need = needs.create_need(need_fields(), state, submit=True)
    offer = offers.create_offer(offer_fields(), donor, submit=True)
    db.session.commit()
    browsers = []
    for coordinator in coordinators:
        browser = Browser(base_url)
        browser.login(coordinator.email)
        browsers.append(browser)

    path, form = f"/review/needs/{need.id}/propose", {"offer_id": offer.id, "note": "go"}
    results = at_once(*[(lambda b=b: b.post(path, form)) for b in browsers])

    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], results
    loser_page = next(page for status, page in results if status == 409)
    assert "already proposed" in loser_page or "at the same moment" in loser_page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "match.proposed")) == 1


def test_two_agreements_race_for_the_last_engagement(live):
    app, base_url = live
    states = [make_user(Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE, name, country)
              for name, country in (("Kenya", "KEN"), ("Ghana", "GHA"))]
    donor = make_user(Role.FOCAL_POINT, OrganisationKind.DONOR_STATE, "Valdoria")
    coordinator = make_user(Role.COORDINATOR, OrganisationKind.SECRETARIAT, "Secretariat")
    offer = offers.create_offer(offer_fields(capacity=1), donor, submit=True)
    proposals = []
    for state in states:
        need = needs.create_need(need_fields(), state, submit=True)
        match = workflow.propose(need, offer, coordinator)
        workflow.decide(match, donor, Decision.ACCEPTED)
        proposals.append(match)
    db.session.commit()
    browsers = []
    for state in states:
        browser = Browser(base_url)
        browser.login(state.email)
        browsers.append(browser)

    paths = [f"/matches/{match.id}/decide" for match in proposals]
    results = at_once(*[
        (lambda b=b, p=p: b.post(p, {"decision": "accepted"}))
        for b, p in zip(browsers, paths, strict=True)
    ])

    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], results
    loser_page = next(page for status, page in results if status == 409)
    assert "no capacity left" in loser_page or "at the same moment" in loser_page
    db.session.expire_all()
    agreed = db.session.scalars(sa.select(Match).where(Match.status == MatchStatus.AGREED)).all()
    assert len(agreed) == 1
    db.session.refresh(offer)
    assert offer.remaining_capacity == 0
    loser = next(m for m in db.session.scalars(sa.select(Match)) if m.status != MatchStatus.AGREED)
    assert loser.status == MatchStatus.PROPOSED and loser.state_decision is None


def test_a_double_click_creates_one_need(live):
    from portal.needs.models import Need

    app, base_url = live
    state = make_user(Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE, "Kenya", "KEN")
    browser = Browser(base_url)
    browser.login(state.email)
    form = dict(need_fields(), budget_usd="60000", confidentiality="public", submit="Submit",
                submission_token="one-click-token-0001")
    del form["delivery"]
    results = at_once(*[(lambda: browser.post("/needs/new", form)) for _ in range(2)])
    assert sorted(status for status, _ in results) == [302, 302], results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Need)) == 1
