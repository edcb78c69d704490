"""The whole story, in a browser, through the pages only (clicks and typing).

A requesting State submits a need and fixes the validation error it made on
the way; a donor posts an offer; a coordinator finds it among the need's
candidates, with the engine's reasons, and proposes it; the donor accepts
from its inbox; the State confirms; the match is agreed and each side sees
who to contact; the dashboard counts it.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.matches.models import Match, MatchStatus
from portal.needs.models import Need
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

NEED_TITLE = "Mentoring our central authority on mutual legal assistance requests"
NEED_DESCRIPTION = ("Our central authority needs mentoring on drafting mutual legal assistance "
                    "requests for subscriber data and the preservation of electronic evidence "
                    "held by providers abroad.")
OFFER_TITLE = "Mentoring central authorities on electronic evidence requests"
OFFER_DESCRIPTION = ("Experienced prosecutors mentor central authority staff on drafting mutual "
                     "legal assistance requests for electronic evidence and preservation orders.")


def tick(page, field: str, *values: str) -> None:
    for value in values:
        page.locator(f"input[name={field}][value={value}]").check()


def fill_common_fields(page, *, title: str, description: str | None) -> None:
    page.locator("#title").fill(title)
    if description is not None:
        page.locator("#description").fill(description)
    page.locator("main select[name=language]").select_option("en")
    page.locator("select[name=working_languages]").select_option(["en"])
    tick(page, "themes", "international_cooperation")
    tick(page, "modalities", "mentoring")
    tick(page, "beneficiaries", "central_authority")
    page.locator("#budget_usd").fill("60000")
    page.locator("#start").fill("2026-01")
    page.locator("#end").fill("2027-06")


def state_submits_a_need(page) -> None:
    page.goto("/needs/new")
    # The State forgets the description: the form comes back with the error
    # named at the top and at the field, and everything typed is kept.
    fill_common_fields(page, title=NEED_TITLE, description=None)
    page.get_by_label(re.compile("^Donors, without our name")).check()
    page.get_by_role("button", name="Submit", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Description")
    expect(page.locator("#description-errors")).to_contain_text("A description is required.")
    expect(page.locator("#title")).to_have_value(NEED_TITLE)
    expect(page.locator("#budget_usd")).to_have_value("60000")
    expect(page.get_by_label(re.compile("^Donors, without our name"))).to_be_checked()
    # The link in the summary leads to the field; the State fixes it and submits.
    summary.get_by_role("link", name="Description").click()
    expect(page.locator("#description")).to_be_focused()
    page.locator("#description").fill(NEED_DESCRIPTION)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Your need has been submitted.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEED_TITLE)


def donor_posts_an_offer(page) -> None:
    page.goto("/offers/new")
    fill_common_fields(page, title=OFFER_TITLE, description=OFFER_DESCRIPTION)
    page.locator("#provider").fill("Valdoria")
    page.locator("#capacity").fill("2")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Your offer is published")
    expect(page.get_by_role("heading", level=1)).to_contain_text(OFFER_TITLE)


def coordinator_proposes_the_candidate(page) -> None:
    page.goto("/review/")
    page.get_by_role("link", name=NEED_TITLE).click()
    candidates = page.locator("ol.candidate-list > li")
    expect(candidates).to_have_count(1)
    candidate = candidates.first
    expect(candidate.get_by_role("link", name=OFFER_TITLE)).to_be_visible()
    # The engine says why, in words a coordinator reads.
    reasons = candidate.locator("ul.reasons li")
    assert reasons.count() >= 2, "the candidate comes without its reasons"
    expect(reasons.first).not_to_be_empty()
    candidate.get_by_label("Note to both sides").fill("A close fit: same language, theme and window.")
    candidate.get_by_role("button", name="Propose").click()
    expect(page.locator(".flashes")).to_contain_text("The proposal is sent")
    expect(candidate).to_contain_text("Proposed")


def answer_from_the_inbox(page, expected_flash: str = "Your answer is recorded.") -> None:
    page.goto("/inbox/")
    page.get_by_role("link", name=re.compile("^Answer the proposal")).click()
    page.get_by_label("Yes, we agree").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".flashes")).to_contain_text(expected_flash)


def matches_agreed(page) -> int:
    """The coordinator dashboard's "Matches agreed" figure."""
    page.goto("/insight/")
    figure = page.locator("div.kpi").filter(has=page.get_by_text("Matches agreed", exact=True))
    return int(figure.locator(".kpi-value").inner_text().replace(",", "").strip())


def dashboard_counts_the_match(page, before: int) -> None:
    """The coordinator dashboard counts the agreed match; the public one names no State."""
    assert matches_agreed(page) == before + 1
    # The need is for donors only: the public figures count it, never show it or its State.
    page.goto("/insight/public")
    public = page.locator("main")
    expect(public.locator("div.kpi").first).to_be_visible()
    for secret in (NEED_TITLE, "Kenya", "Ministry of Justice"):
        expect(public).not_to_contain_text(secret)


def test_the_whole_story(live_server, cast, browser):
    state = live_server.new_page(browser)
    donor = live_server.new_page(browser)
    coordinator = live_server.new_page(browser)
    log_in(state, cast.state)
    log_in(donor, cast.donor)
    log_in(coordinator, cast.coordinator)
    dashboard_before = matches_agreed(coordinator)

    state_submits_a_need(state)
    donor_posts_an_offer(donor)
    coordinator_proposes_the_candidate(coordinator)

    # The donor sees the proposal waiting in its inbox and accepts it.
    expect(donor.get_by_role("link", name=re.compile("^Inbox"))).to_be_visible()
    answer_from_the_inbox(donor)
    # Its answer is recorded; the State's is still awaited.
    expect(donor.locator("dl.facts")).to_contain_text(re.compile(r"Donor\s*Accepted"))
    expect(donor.locator("dl.facts")).to_contain_text(re.compile(r"Requesting State\s*Waiting"))

    # The State confirms; the match is agreed and both sides see whom to contact.
    answer_from_the_inbox(state)
    expect(state.locator("h1 .status")).to_have_text(re.compile("agreed", re.I))
    contacts = state.locator(".panel", has=state.get_by_role("heading", name="Who to contact"))
    expect(contacts).to_contain_text(cast.donor.email)
    donor.reload()
    expect(donor.locator("h1 .status")).to_have_text(re.compile("agreed", re.I))
    expect(donor.locator("main")).to_contain_text(cast.state.email)

    # The coordinator's list of matches shows it agreed.
    coordinator.goto("/matches/?status=agreed")
    expect(coordinator.locator("main")).to_contain_text(OFFER_TITLE)

    dashboard_counts_the_match(coordinator, dashboard_before)

    # What the pages showed is what the database holds.
    db.session.remove()
    match = db.session.scalars(sa.select(Match)).one()
    assert match.status == MatchStatus.AGREED
    assert match.offer.remaining_capacity == 1
    assert db.session.scalars(sa.select(Need)).one().title == NEED_TITLE
