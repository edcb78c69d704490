"""A real browser against a real server.

Playwright for Python drives Debian's chromium (``/usr/bin/chromium``; browsers
are never downloaded: ``.ci/run`` installs the package). The application is
served by Werkzeug's threaded server in this process, on a fresh database
migrated with the real migrations: a SQLite file, and a PostgreSQL database of
its own when ``TEST_DATABASE_URL`` is set. CSRF protection is on, as in
production; only the password hash is cheap.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role, User
from portal.config import TestingConfig
from portal.extensions import db
from tests.databases import scratch_database, suite_database_url
from tests.fixtures.portal import PASSWORD, TOTP_SECRET

CHROMIUM = Path("/usr/bin/chromium")


def e2e_backends() -> list:
    backends = [pytest.param("sqlite", id="sqlite")]
    if suite_database_url():
        backends.append(pytest.param("postgresql", id="postgresql"))
    return backends


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (`apt-get install chromium`; "
                    ".ci/run does) to run the end-to-end tests")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


class QuietHandler(WSGIRequestHandler):
    """No access log: pytest shows the pages' failures, not every request."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def new_page(self, browser):
        """A page in a context of its own: one user's cookies, English, a desktop window."""
        context = browser.new_context(base_url=self.url, locale="en-GB",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        return context.new_page()


@pytest.fixture(params=e2e_backends())
def database_for_e2e(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    else:
        with scratch_database("e2e") as url:
            yield url


@pytest.fixture
def live_server(database_for_e2e) -> Iterator[LiveServer]:
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_for_e2e
        WTF_CSRF_ENABLED = True  # the forms as users post them

    app = create_app(Config)
    with app.app_context():
        upgrade()  # the real migrations, not create_all
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
            db.session.remove()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@dataclass
class Cast:
    """The people of the story: one account each, with their organisations."""

    state: User
    donor: User
    coordinator: User


@pytest.fixture
def cast(live_server) -> Cast:
    def person(name: str, role: Role, kind: OrganisationKind, organisation: str, country=None) -> User:
        org = Organisation(name=organisation, kind=kind, country=country)
        db.session.add(org)
        user = auth_services.create_user(
            email=f"{name.split()[0].lower()}@example.org", name=name, password=PASSWORD,
            role=role, organisation=org)
        if role != Role.FOCAL_POINT:
            user.totp_secret = TOTP_SECRET
        return user

    cast = Cast(
        state=person("Amina Odhiambo", Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE,
                     "Ministry of Justice of Kenya", country="KEN"),
        donor=person("Lars Berg", Role.FOCAL_POINT, OrganisationKind.DONOR_STATE,
                     "Ministry of Foreign Affairs of Valdoria"),
        coordinator=person("Chen Wei", Role.COORDINATOR, OrganisationKind.SECRETARIAT,
                           "Secretariat"),
    )
    db.session.commit()
    return cast


def log_in(page, user: User) -> None:
    """Through the login form, and the code form for staff (code from the authenticator)."""
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if re.search(r"/auth/login/code$", page.url):
        page.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Continue").click()
    assert "/auth/login" not in page.url, f"{user.email} could not log in"
