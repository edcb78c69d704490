"""The JSON API: tokens, the pages' access rules, validation, pagination, errors, limits."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from portal.api import services
from portal.api.models import ApiToken
from portal.auth.models import OrganisationKind, Role
from portal.matches import workflow
from portal.matches.models import Decision
from portal.models import Need, Offer
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import count_rows
from tests.portal.api.conftest import bearer

# --- Authentication ------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_in_json(client):
    response = client.get("/api/v1/needs")
    assert response.status_code == 401
    assert response.is_json and response.get_json()["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_malformed_or_revoked_token_is_refused(client, db, state_user, make_token):
    token = make_token(state_user)
    assert client.get("/api/v1/needs", headers=bearer(token)).status_code == 200
    for header in ("Bearer cm_not-a-token", "Basic " + token, token, "Bearer "):
        assert client.get("/api/v1/needs", headers={"Authorization": header}).status_code == 401
    stored = db.session.scalar(sa.select(ApiToken))
    services.revoke_token(stored, state_user)
    db.session.commit()
    assert client.get("/api/v1/needs", headers=bearer(token)).status_code == 401


def test_a_deactivated_users_token_stops_working(client, db, state_user, make_token):
    token = make_token(state_user)
    state_user.active = False
    db.session.commit()
    assert client.get("/api/v1/needs", headers=bearer(token)).status_code == 401


def test_only_a_hash_of_the_token_is_stored(db, state_user, make_token):
    token = make_token(state_user)
    stored = db.session.scalar(sa.select(ApiToken))
    assert token.startswith("cm_") and len(token) > 40
    assert stored.token_hash == services.hash_token(token) and token not in stored.token_hash
    assert stored.prefix == token[:10]


def test_a_session_cookie_does_not_open_the_api(client, login, state_user):
    """Cookies are not accepted by the API: that is why it needs no CSRF token."""
    login(state_user)
    response = client.get("/api/v1/needs")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    # The fixture's application context outlives requests, and Flask-Login caches
    # the user in ``g``: drop it, as a fresh request in production would.
    g.pop("_login_user", None)
    assert client.get("/needs/").status_code == 200  # the session itself still works


def test_the_last_use_of_a_token_is_recorded(client, db, state_user, make_token):
    token = make_token(state_user)
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None
    client.get("/api/v1/needs", headers=bearer(token))
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


# --- The scenario ------------------------------------------------------------------


def test_a_donor_token_lists_its_own_offers_and_cannot_read_a_restricted_need(
        client, db, make_user, make_token, make_need, make_offer, donor_user):
    other_donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY)
    mine = make_offer(title="Our forensic laboratory mentoring")
    draft = make_offer(title="Our draft")
    draft.status = "draft"
    theirs = make_offer(user=other_donor, title="Another donor's offer")
    restricted = make_need(confidentiality="restricted", title="Restricted need")
    token = make_token(donor_user)

    listed = client.get("/api/v1/offers", headers=bearer(token)).get_json()
    refs = {item["ref"] for item in listed["items"]}
    assert refs == {mine.ref, draft.ref}
    assert theirs.ref not in refs
    response = client.get(f"/api/v1/needs/{restricted.id}", headers=bearer(token))
    missing = client.get("/api/v1/needs/999999", headers=bearer(token))
    assert response.status_code == 404 and response.get_json() == missing.get_json()
    assert restricted.ref not in client.get("/api/v1/needs", headers=bearer(token)).get_data(as_text=True)
    assert client.get(f"/api/v1/offers/{theirs.id}", headers=bearer(token)).status_code == 404


def test_a_donor_reads_a_donors_level_need_without_the_states_name(
        client, make_token, make_need, donor_user, state_user):
    need = make_need(confidentiality="donors")
    token = make_token(donor_user)
    body = client.get(f"/api/v1/needs/{need.id}", headers=bearer(token)).get_json()
    assert body["title"] == need.title
    assert body["country"] is None and body["confidentiality"] is None
    own = client.get(f"/api/v1/needs/{need.id}", headers=bearer(make_token(state_user))).get_json()
    assert own["country"] == "KEN" and own["confidentiality"] == "donors"


def test_a_restricted_proposal_reaches_the_donor_only_once_the_state_accepts(
        client, db, make_token, make_need, make_offer, donor_user, state_user, coordinator):
    need = make_need(confidentiality="restricted")
    match = workflow.propose(need, make_offer(), coordinator)
    db.session.commit()
    token = make_token(donor_user)
    assert client.get("/api/v1/matches", headers=bearer(token)).get_json()["total"] == 0
    assert client.get(f"/api/v1/matches/{match.id}", headers=bearer(token)).status_code == 404
    workflow.decide(match, state_user, Decision.ACCEPTED)
    db.session.commit()
    body = client.get(f"/api/v1/matches/{match.id}", headers=bearer(token)).get_json()
    assert body["need"]["ref"] == need.ref and body["need"]["country"] == "KEN"
    assert client.get(f"/api/v1/needs/{need.id}", headers=bearer(token)).status_code == 200


# --- Create and update ------------------------------------------------------------------------


def test_a_state_creates_and_submits_a_need(client, db, state_user, make_token):
    token = make_token(state_user)
    response = client.post("/api/v1/needs", json={**need_fields(), "submit": True}, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["country"] == "KEN"
    assert response.headers["Location"].endswith(f"/api/v1/needs/{body['id']}")
    need = db.session.get(Need, body["id"])
    assert need.organisation_id == state_user.organisation_id and need.title == need_fields()["title"]


def test_invalid_fields_are_a_422_naming_each_field_and_nothing_is_written(client, state_user, make_token):
    token = make_token(state_user)
    before = count_rows(Need)
    bad = client.post("/api/v1/needs", json={**need_fields(), "themes": ["astrology"], "budget_usd": -1,
                                             "submit": True}, headers=bearer(token))
    assert bad.status_code == 422
    assert {"themes", "budget_usd"} <= set(bad.get_json()["errors"]["json"])
    # The services' rules (as in the forms): a submitted need needs a description.
    missing = client.post("/api/v1/needs", json={**need_fields(), "description": " ", "submit": True},
                          headers=bearer(token))
    assert missing.status_code == 422 and "description" in missing.get_json()["errors"]
    late = client.post("/api/v1/needs", json={**need_fields(), "start": "2027-05", "end": "2027-01",
                                              "submit": True}, headers=bearer(token))
    assert late.status_code == 422 and "end" in late.get_json()["errors"]
    unknown = client.post("/api/v1/needs", json={**need_fields(), "status": "matched"}, headers=bearer(token))
    assert unknown.status_code == 422 and "status" in unknown.get_json()["errors"]["json"]
    nul = client.post("/api/v1/needs", json={**need_fields(), "title": "a\x00b"}, headers=bearer(token))
    assert nul.status_code == 422
    assert count_rows(Need) == before


def test_a_malformed_json_body_is_a_400_in_json(client, state_user, make_token):
    response = client.post("/api/v1/needs", data="{not json", content_type="application/json",
                           headers=bearer(make_token(state_user)))
    assert response.status_code == 400 and response.get_json()["code"] == 400


def test_only_the_right_side_creates(client, donor_user, state_user, coordinator, make_token):
    assert client.post("/api/v1/needs", json=need_fields(), headers=bearer(make_token(donor_user))).status_code == 403
    assert client.post("/api/v1/offers", json=offer_fields(), headers=bearer(make_token(state_user))).status_code == 403
    assert client.post("/api/v1/offers", json=offer_fields(), headers=bearer(make_token(coordinator))).status_code == 403
    created = client.post("/api/v1/offers", json=offer_fields(), headers=bearer(make_token(donor_user)))
    assert created.status_code == 201 and created.get_json()["status"] == "draft"


def test_patch_changes_only_the_fields_given(client, db, make_need, state_user, make_token):
    need = make_need(confidentiality="public")
    token = make_token(state_user)
    response = client.patch(f"/api/v1/needs/{need.id}", json={"title": "A sharper title"}, headers=bearer(token))
    assert response.status_code == 200
    db.session.expire_all()
    assert need.title == "A sharper title" and need.themes == ["international_cooperation"]
    assert need.confidentiality == "public"


def test_patch_follows_the_pages_rules(client, db, make_user, make_need, make_offer, make_token,
                                       coordinator, donor_user):
    need = make_need(confidentiality="public")
    other_state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    # Others may read a public need but not change it; the secretariat neither.
    for user in (other_state, coordinator, donor_user):
        assert client.patch(f"/api/v1/needs/{need.id}", json={"title": "x"},
                            headers=bearer(make_token(user))).status_code == 403
    offer = make_offer()
    offer.status = "completed"
    db.session.commit()
    response = client.patch(f"/api/v1/offers/{offer.id}", json={"title": "x"},
                            headers=bearer(make_token(donor_user)))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).title != "x"


def test_the_ranking_is_for_the_secretariat(client, make_need, make_offer, make_token, state_user,
                                            donor_user, coordinator):
    need = make_need(confidentiality="public")
    offer = make_offer()
    body = client.get(f"/api/v1/needs/{need.id}/ranking", headers=bearer(make_token(coordinator))).get_json()
    assert body["candidates"][0]["offer"]["ref"] == offer.ref and body["candidates"][0]["reasons"]
    # The State reads its need but not the ranking (its page does not show it either).
    assert client.get(f"/api/v1/needs/{need.id}/ranking", headers=bearer(make_token(state_user))).status_code == 403
    assert client.get(f"/api/v1/needs/{need.id}/ranking", headers=bearer(make_token(donor_user))).status_code == 403


# --- Pagination, errors, limits ---------------------------------------------------------------


def test_lists_are_paginated_with_next_links(client, make_offer, donor_user, make_token):
    for number in range(5):
        make_offer(title=f"Offer {number} on mutual legal assistance")
    token = make_token(donor_user)
    first = client.get("/api/v1/offers?per_page=2", headers=bearer(token))
    body = first.get_json()
    assert body["total"] == 5 and body["pages"] == 3 and len(body["items"]) == 2 and body["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    seen = [item["ref"] for item in body["items"]]
    while body["next"]:
        body = client.get(body["next"], headers=bearer(token)).get_json()
        seen += [item["ref"] for item in body["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert client.get("/api/v1/offers?per_page=1000", headers=bearer(token)).status_code == 422
    assert client.get("/api/v1/offers?page=0", headers=bearer(token)).status_code == 422


def test_every_error_is_json(client, state_user, make_token):
    token = make_token(state_user)
    for method, url, code in (("GET", "/api/v1/nothing-here", 404), ("DELETE", "/api/v1/needs", 405),
                              ("GET", "/api/v1/needs/99999999999", 404), ("GET", "/api/v1/needs?q=%00", 400)):
        response = client.open(url, method=method, headers=bearer(token))
        assert response.status_code == code, url
        assert response.is_json and response.get_json()["code"] == code


def test_the_api_is_rate_limited_per_token(app, client, state_user, make_token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    token = make_token(state_user)
    codes = [client.get("/api/v1/needs", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/needs", headers=bearer(token))
    assert response.is_json and response.get_json()["code"] == 429 and "Retry-After" in response.headers
    # Another user's token has its own budget.
    assert client.get("/api/v1/needs", headers=bearer(make_token(state_user, "second"))).status_code == 200


def test_the_openapi_document_and_docs_page_are_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    responses = spec["paths"]["/api/v1/needs/{need_id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422", "429"} <= set(responses)
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/needs/{need_id}/ranking" in page and "cdn" not in page.lower()


# --- Token pages -------------------------------------------------------------------------------


def test_a_user_creates_and_revokes_a_token_on_the_page(client, db, login, state_user):
    login(state_user)
    page = client.post("/api/tokens", data={"name": "Grants sync"}).get_data(as_text=True)
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.name == "Grants sync" and stored.user_id == state_user.id
    clear = next(word for word in page.replace("<", " ").replace(">", " ").split() if word.startswith("cm_"))
    assert services.hash_token(clear) == stored.token_hash
    assert clear not in client.get("/api/tokens").get_data(as_text=True)  # shown once only
    assert client.get("/api/v1/needs", headers=bearer(clear)).status_code == 200
    g.pop("_login_user", None)  # see test_a_session_cookie_does_not_open_the_api
    assert client.post(f"/api/tokens/{stored.id}/revoke").status_code == 302
    assert client.get("/api/v1/needs", headers=bearer(clear)).status_code == 401


def test_nobody_revokes_another_users_token(client, db, login, state_user, donor_user, make_token):
    token = make_token(state_user)
    stored = db.session.scalar(sa.select(ApiToken))
    login(donor_user)
    assert client.post(f"/api/tokens/{stored.id}/revoke").status_code == 404
    assert client.get("/api/v1/needs", headers=bearer(token)).status_code == 200


def test_a_token_needs_a_name(client, login, state_user):
    login(state_user)
    page = client.post("/api/tokens", data={"name": ""}).get_data(as_text=True)
    assert "Give the token a name." in page and count_rows(ApiToken) == 0
