"""Needs through the web forms, as a requesting State's focal point uses them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.auth.models import OrganisationKind, Role
from portal.needs.models import Need
from portal.records import Status
from tests.fixtures.portal import count_rows


def need_form(**overrides) -> dict:
    data = {
        "title": "Training prosecutors on electronic evidence",
        "description": "Our prosecutors need training on preservation orders and on "
                       "requests to foreign service providers.",
        "language": "en",
        "working_languages": ["en", "fr"],
        "themes": ["electronic_evidence"],
        "modalities": ["training"],
        "beneficiaries": ["prosecution"],
        "delivery": ["remote"],
        "budget_usd": "50000",
        "start": "2026-01",
        "end": "2026-12",
        "confidentiality": "restricted",
        "submit": "Submit",
    }
    data.update(overrides)
    return data


def test_state_submits_a_need(client, login, state_user, db):
    login(state_user)
    response = client.post("/needs/new", data=need_form())
    need = db.session.scalar(sa.select(Need))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/needs/{need.id}")
    assert need.status == Status.SUBMITTED
    assert need.country == "KEN"
    assert need.organisation_id == state_user.organisation_id
    assert need.themes == ["electronic_evidence"]
    assert need.working_languages == ["en", "fr"]
    assert need.budget_usd == 50000
    assert need.created_by_id == state_user.id


def test_save_as_draft_keeps_it_a_draft(client, login, state_user, db):
    login(state_user)
    data = need_form()
    del data["submit"]
    data["save_draft"] = "Save as draft"
    client.post("/needs/new", data=data)
    assert db.session.scalar(sa.select(Need.status)) == Status.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "A title is required."),
        ({"description": "   "}, "description", "A description is required."),
        ({"end": "2025-06"}, "end", "The end of the window is before its start."),
        ({"budget_usd": "-5"}, "budget_usd", "The budget cannot be negative."),
        ({"budget_usd": "1000000000000"}, "budget_usd", "cannot exceed"),
        ({"themes": ["not_a_theme"]}, "themes", "not a valid choice"),
        ({"working_languages": []}, "working_languages", "Choose at least one working language."),
        ({"title": "x" * 201}, "title", "200"),
        ({"start": "March 2026"}, "start", "YYYY-MM"),
    ],
)
def test_invalid_need_rerenders_with_input_and_message(client, login, state_user, overrides, field, message):
    login(state_user)
    response = client.post("/needs/new", data=need_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-errors"' in page or f'name="{field}"' in page
    # What the user typed elsewhere is still there.
    kept = "preservation orders" if field != "description" else "Training prosecutors"
    assert kept in page
    assert count_rows(Need) == 0


def test_edit_keeps_user_input_on_error_and_saves_on_success(client, login, state_user, db):
    login(state_user)
    client.post("/needs/new", data=need_form())
    need = db.session.scalar(sa.select(Need))
    bad = client.post(f"/needs/{need.id}/edit", data=need_form(title="New title", end="2020-01"))
    assert "New title" in bad.get_data(as_text=True)
    db.session.refresh(need)
    assert need.title == "Training prosecutors on electronic evidence"
    client.post(f"/needs/{need.id}/edit", data=need_form(title="New title"))
    db.session.refresh(need)
    assert need.title == "New title"
    assert need.updated_by_id == state_user.id


def test_withdraw_then_no_more_edits(client, login, state_user, db):
    login(state_user)
    client.post("/needs/new", data=need_form())
    need = db.session.scalar(sa.select(Need))
    client.post(f"/needs/{need.id}/withdraw")
    db.session.refresh(need)
    assert need.status == Status.WITHDRAWN
    client.post(f"/needs/{need.id}/edit", data=need_form(title="Changed after withdrawal"))
    db.session.refresh(need)
    assert need.title != "Changed after withdrawal"


def test_submit_a_draft(client, login, state_user, db):
    login(state_user)
    data = need_form()
    del data["submit"]
    client.post("/needs/new", data=dict(data, save_draft="Save as draft"))
    need = db.session.scalar(sa.select(Need))
    client.post(f"/needs/{need.id}/submit")
    db.session.refresh(need)
    assert need.status == Status.SUBMITTED


def test_posted_organisation_and_status_are_ignored(client, login, state_user, make_organisation, db):
    other = make_organisation(OrganisationKind.REQUESTING_STATE, country="NGA")
    login(state_user)
    client.post("/needs/new", data=need_form(organisation_id=other.id, country="NGA", status="matched"))
    need = db.session.scalar(sa.select(Need))
    assert (need.organisation_id, need.country, need.status) == (
        state_user.organisation_id, "KEN", Status.SUBMITTED)


def test_other_state_cannot_see_or_change_a_need(client, auth, login, state_user, make_user, db):
    login(state_user)
    client.post("/needs/new", data=need_form())
    need = db.session.scalar(sa.select(Need))
    auth.logout()
    login(make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="NGA"))
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert client.post(f"/needs/{need.id}/edit", data=need_form(title="Hijacked")).status_code == 404
    assert client.post(f"/needs/{need.id}/withdraw").status_code == 404
    listing = client.get("/needs/").get_data(as_text=True)
    assert need.title not in listing
    db.session.refresh(need)
    assert need.status == Status.SUBMITTED and need.title != "Hijacked"


def test_donor_cannot_submit_needs(client, login, donor_user):
    login(donor_user)
    assert client.get("/needs/new").status_code == 403
    assert client.post("/needs/new", data=need_form()).status_code == 403


def test_coordinator_sees_submitted_needs_but_not_drafts(client, auth, login, state_user, coordinator):
    login(state_user)
    client.post("/needs/new", data=need_form(title="A submitted need"))
    draft = need_form(title="A private draft")
    del draft["submit"]
    client.post("/needs/new", data=dict(draft, save_draft="Save as draft"))
    auth.logout()
    login(coordinator)
    listing = client.get("/needs/").get_data(as_text=True)
    assert "A submitted need" in listing
    assert "A private draft" not in listing


def test_list_filters_and_paginates(client, login, state_user, app):
    login(state_user)
    for number in range(7):
        theme = "child_protection" if number % 2 else "legislation"
        client.post("/needs/new", data=need_form(title=f"Need number {number}", themes=[theme]))
    first_page = client.get("/needs/").get_data(as_text=True)
    assert first_page.count("Need number") == app.config["ITEMS_PER_PAGE"]
    assert "Page 1 of 2" in first_page
    filtered = client.get("/needs/?theme=child_protection").get_data(as_text=True)
    assert filtered.count("Need number") == 3
    assert "Need number 0" not in filtered
    searched = client.get("/needs/?q=number 4").get_data(as_text=True)
    assert "Need number 4" in searched and "Need number 3" not in searched


def test_anonymous_is_sent_to_login(client):
    response = client.get("/needs/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_draft_may_be_half_written_but_is_checked_in_full_on_submission(client, login, state_user, db):
    login(state_user)
    response = client.post("/needs/new", data={"title": "Just an idea", "language": "en",
                                               "save_draft": "Save as draft"})
    assert response.status_code == 302
    need = db.session.scalar(sa.select(Need))
    assert (need.status, need.description) == (Status.DRAFT, "")
    client.post(f"/needs/{need.id}/submit")
    db.session.refresh(need)
    assert need.status == Status.DRAFT
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Description is required." in page


def test_a_draft_still_needs_a_title(client, login, state_user):
    login(state_user)
    response = client.post("/needs/new", data={"title": "", "language": "en", "save_draft": "Save as draft"})
    assert response.status_code == 200
    assert "A title is required." in response.get_data(as_text=True)
    assert count_rows(Need) == 0


def test_absurd_page_numbers_do_not_break_the_list(client, login, state_user):
    login(state_user)
    for page in ("99999999999999999999", "0", "-1", "abc"):
        assert client.get(f"/needs/?page={page}").status_code == 200


def test_a_form_posted_twice_creates_one_need(client, login, state_user):
    login(state_user)
    form = client.get("/needs/new").get_data(as_text=True)
    token = form.split('name="submission_token" type="hidden" value="')[1].split('"')[0]
    first = client.post("/needs/new", data=need_form(submission_token=token))
    again = client.post("/needs/new", data=need_form(submission_token=token))
    assert count_rows(Need) == 1
    assert again.headers["Location"] == first.headers["Location"]
    fresh = client.get("/needs/new").get_data(as_text=True)
    assert token not in fresh  # the next blank form has a token of its own
