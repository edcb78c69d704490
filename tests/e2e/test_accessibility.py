"""axe-core, run in the page, finds no serious or critical violation on the main pages.

axe-core's script comes bundled in the axe-playwright-python package (no CDN
at test time). Every main page is checked as the role that uses it, with
data in it: lists with rows, a need with its candidates, a proposal waiting
in the inboxes, and forms re-rendered with their errors.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal.extensions import db
from portal.matches import workflow
from portal.needs import services as needs_services
from portal.offers import services as offers_services
from tests.e2e.conftest import log_in
from tests.factories import need_fields, offer_fields

pytestmark = pytest.mark.e2e

#: What fails the test; "moderate" and "minor" findings are printed, not failed.
FAILING_IMPACTS = frozenset({"serious", "critical"})


@pytest.fixture
def database_for_e2e(tmp_path):
    """Markup does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'a11y.sqlite'}"


@pytest.fixture
def records(live_server, cast):
    """A need (public) and a donors-only one, an offer, and a proposal waiting for both sides."""
    need = needs_services.create_need(need_fields(), cast.state, submit=True)
    needs_services.create_need(need_fields(title="Training judges on electronic evidence",
                                           confidentiality="donors"), cast.state, submit=True)
    offer = offers_services.create_offer(offer_fields(), cast.donor, submit=True)
    db.session.commit()
    match = workflow.propose(need, offer, cast.coordinator, note="A close fit.")
    db.session.commit()
    return {"need": need.id, "offer": offer.id, "match": match.id}


def submit_empty(page) -> None:
    """Post the form with nothing typed: the page comes back with its errors."""
    page.get_by_role("button", name="Submit", exact=True).click()
    page.locator(".error-summary").wait_for()


def pages_of(role: str, ids: dict) -> list[tuple[str, object]]:
    """(address, action after loading) of the main pages of each role."""
    need, offer, match = ids["need"], ids["offer"], ids["match"]
    return {
        "state": [
            ("/needs/", None), ("/needs/new", None), ("/needs/new", submit_empty),
            (f"/needs/{need}", None), (f"/needs/{need}/edit", None), ("/matches/", None),
            (f"/matches/{match}", None), ("/inbox/", None), ("/auth/account", None),
            ("/needs/browse", None),
        ],
        "donor": [
            ("/offers/", None), ("/offers/new", None), ("/offers/new", submit_empty),
            (f"/offers/{offer}", None), ("/needs/browse", None), (f"/needs/{need}", None),
            ("/matches/", None), (f"/matches/{match}", None), ("/inbox/", None),
            ("/auth/account", None),
        ],
        "coordinator": [
            ("/review/", None), (f"/review/needs/{need}", None), (f"/needs/{need}", None),
            (f"/offers/{offer}", None), ("/needs/", None), ("/offers/", None), ("/matches/", None),
            (f"/matches/{match}", None), ("/inbox/", None), ("/auth/account", None),
            ("/insight/", None), ("/insight/public", None), ("/insight/report", None),
        ],
    }[role]


def serious_violations(axe: Axe, page) -> list[str]:
    """The serious and critical violations; the others are printed (`pytest -s` shows them)."""
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        line = f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}"
        if violation.get("impact") in FAILING_IMPACTS:
            found.append(line)
        else:
            print(f"axe, not failing, {page.url}: {line}")
    return found


def test_login_pages_have_no_serious_violation(live_server, cast, browser):
    axe = Axe()
    page = live_server.new_page(browser)
    page.goto("/auth/login")
    problems = serious_violations(axe, page)
    page.get_by_label("E-mail").fill(cast.coordinator.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    assert "/auth/login" in page.url
    problems += serious_violations(axe, page)
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(cast.coordinator.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/auth/login/code")
    problems += serious_violations(axe, page)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("role", ["state", "donor", "coordinator"])
def test_main_pages_have_no_serious_violation(live_server, cast, records, browser, role):
    axe = Axe()
    page = live_server.new_page(browser)
    log_in(page, getattr(cast, role))
    problems = []
    for address, action in pages_of(role, records):
        response = page.goto(address)
        assert response.ok, f"{address} answered {response.status} to the {role}"
        if action:
            action(page)
        problems += [f"{address}{' (after submit)' if action else ''}: {problem}"
                     for problem in serious_violations(axe, page)]
    assert problems == [], f"as the {role}:\n" + "\n".join(problems)
