"""Input the views never see (control characters, impossible ids) and inputs that once gave a 500."""

from __future__ import annotations

import pytest

from portal.security import MAX_DATABASE_ID
from tests.security.records import make_records


@pytest.mark.parametrize("data", [{"email": "a\x00b@example.org"}, {"password\x01": "x"},
                                  {"email": "x@example.org", "password": "pass\x1bword"}])
def test_control_characters_in_form_fields_are_refused(client, data):
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"


def test_control_characters_in_query_parameters_are_refused(client, login, state_user):
    login(state_user)
    assert client.get("/needs/", query_string={"q": "water\x00"}).status_code == 400
    assert client.get("/needs/", query_string={"q": "tab\tand\nnewline"}).status_code == 200


@pytest.fixture
def records(make_user):
    return make_records(make_user)


ADDRESSES_WITH_IDS = [
    ("state", "/needs/{big}"), ("state", "/needs/{big}/edit"), ("state", "/matches/{big}"),
    ("coordinator", "/review/needs/{big}"), ("admin", "/admin/organisations/{big}"),
    ("donor", "/offers/{big}"),
]


@pytest.mark.parametrize("big", [MAX_DATABASE_ID + 1, 10**30])
def test_ids_beyond_the_database_range_are_not_found(app, records, big):
    for role, url in ADDRESSES_WITH_IDS:
        client = app.test_client()
        client.post("/auth/login", data={"email": records["users"][role].email,
                                         "password": records["password"]})
        assert client.get(url.format(big=big)).status_code == 404, url


def test_the_largest_possible_id_is_still_looked_up(client, login, state_user):
    login(state_user)
    assert client.get(f"/needs/{MAX_DATABASE_ID}").status_code == 404


# Found by test_fuzz.py: each was a 500 any logged-in user could trigger at will.


@pytest.mark.parametrize("offer_id", ["²", "99999999999999999999999"])
@pytest.mark.parametrize("action", ["propose", "reject"])
def test_review_offer_id_that_is_no_id(client, login, records, offer_id, action):
    """review/views.py ``_offer_from``: ``str.isdigit`` accepts "²" (int() does not)
    and digits beyond the INTEGER range reach the database."""
    login(records["users"]["coordinator"])
    response = client.post(f"/review/needs/{records['need_id']}/{action}",
                           data={"offer_id": offer_id, "reason": "other", "note": "x"})
    assert response.status_code < 500


@pytest.mark.parametrize("page", ["99999999999999999999", "3000000000000000000"])
def test_admin_page_number_beyond_range(client, login, admin_user, page):
    """admin/views.py ``organisations``: the page number is not capped like other lists'."""
    login(admin_user)
    assert client.get("/admin/organisations", query_string={"page": page}).status_code < 500


@pytest.mark.parametrize("budget", ["NaN", "Infinity", "1e999999"])
def test_budget_that_is_not_finite(client, login, state_user, budget):
    login(state_user)
    response = client.post("/needs/new", data={"title": "A need", "budget_usd": budget, "save_draft": "1"})
    assert response.status_code < 500


@pytest.mark.parametrize("budget", ["sNaN", "-sNaN"])
def test_budget_that_is_no_number(client, login, state_user, budget):
    """portal/forms.py ``AssistanceForm.budget_usd``: Decimal("sNaN") makes NumberRange raise."""
    login(state_user)
    response = client.post("/needs/new", data={"title": "A need", "budget_usd": budget, "save_draft": "1"})
    assert response.status_code < 500
