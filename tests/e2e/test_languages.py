"""A focal point who reads Arabic, Chinese or Russian submits a need with
mistakes in a real browser (Debian's chromium): the page is in that language
(right to left for Arabic), the errors are too, the input is kept, and nothing
is wider than a desktop or a phone screen.

Its own small server on a fresh SQLite file built by the migrations, with the
end-to-end suite's browser (skipped, like the rest, without /usr/bin/chromium).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role
from portal.config import TestingConfig
from portal.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
EMAIL, PASSWORD = "focal.point@example.org", "correct horse battery staple"
# A letter of the language's script: the messages must be written in it.
SCRIPTS = {"ar": "[\u0600-\u06ff]", "zh": "[\u4e00-\u9fff]", "ru": "[\u0400-\u04ff]"}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="module")
def languages_browser(browser):
    # The end-to-end suite's one browser: Playwright's sync API allows one
    # running instance per process.
    return browser


@pytest.fixture(scope="module")
def languages_server(languages_browser, tmp_path_factory):
    """The URL of a server on a fresh migrated SQLite file with one focal point."""
    database = tmp_path_factory.mktemp("languages") / "languages.sqlite"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        WTF_CSRF_ENABLED = True  # the forms as a browser posts them

    app = create_app(Config)
    with app.app_context():
        upgrade()
        organisation = Organisation(name="Ministry of Justice", kind=OrganisationKind.REQUESTING_STATE,
                                    country="KEN")
        db.session.add(organisation)
        auth_services.create_user(email=EMAIL, name="Focal Point", password=PASSWORD,
                                  role=Role.FOCAL_POINT, organisation=organisation)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def _no_horizontal_overflow(page) -> None:
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{page.url} is {wider}px wider than the window"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["ar", "zh", "ru"])
def test_a_need_with_mistakes_in_the_users_language(languages_browser, languages_server, language, width):
    context = languages_browser.new_context(base_url=languages_server, locale="en-GB",
                                            viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.locator("main form .primary").click()
        # The switcher, as a person uses it: choose, then press the button.
        page.select_option("#language-switcher", language)
        page.locator(".language-switcher button").click()
        page.goto("/needs/new")
        assert page.evaluate("document.documentElement.lang") == language
        assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")

        title = "Digital forensics training for 12 examiners"
        page.fill("#title", title)
        page.fill("#description", "Mobile device forensics; contact lab@example.org.")
        page.select_option("#working_languages", ["en"])
        page.locator("input[name=themes]").first.check()
        page.fill("#budget_usd", "-500")
        page.fill("#start", "2027-06")
        page.fill("#end", "2027-01")
        page.locator("main form .primary").click()

        summary = page.locator(".error-summary")
        assert summary.count() == 1
        script = re.compile(SCRIPTS[language])
        errors = page.locator(".field-errors li").all_inner_texts()
        assert len(errors) == 2, errors  # the budget and the end month
        assert all(script.search(error) for error in errors), errors
        assert all(error in summary.inner_text() for error in errors)
        # What the user typed is still there.
        assert page.input_value("#title") == title
        assert page.input_value("#budget_usd") == "-500"
        assert page.input_value("#end") == "2027-01"
        assert page.locator("input[name=themes]").first.is_checked()
        if language == "ar":
            # The summary reads from the right; the English title typed into it from the left.
            assert page.evaluate("getComputedStyle(document.querySelector('.error-summary')).direction") == "rtl"
            assert page.evaluate("getComputedStyle(document.querySelector('#title')).direction") == "ltr"
        _no_horizontal_overflow(page)

        page.fill("#budget_usd", "25000")
        page.fill("#end", "2027-12")
        page.locator("main form .primary").click()
        assert re.search(r"/needs/\d+$", page.url), page.url
        assert page.locator(".error-summary").count() == 0
        assert script.search(page.locator(".flash").inner_text())
        _no_horizontal_overflow(page)
    finally:
        context.close()
