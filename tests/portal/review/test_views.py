"""The review queue and the proposal pages, through HTTP as each party uses them."""

from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import OrganisationKind, Role
from portal.extensions import mail
from portal.matches.models import Match, MatchStatus, Rejection


def test_queue_puts_urgent_needs_first_then_the_oldest(client, login, coordinator, make_need, make_user):
    ghana = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    make_need(title="Old need, later window", start="2030-01", end="2030-12")
    make_need(user=ghana, title="Newer need, urgent", start="2020-01", end="2030-12")
    make_need(title="Newest need, later window", start="2030-01", end="2030-12")
    login(coordinator)
    page = client.get("/review/").get_data(as_text=True)
    positions = [page.index(title) for title in (
        "Newer need, urgent", "Old need, later window", "Newest need, later window")]
    assert positions == sorted(positions)
    assert "Urgent" in page


def test_queue_filters_by_region_and_theme(client, login, coordinator, make_need, make_user):
    france = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="FRA")
    make_need(title="An African need")
    make_need(user=france, title="A European need", themes=["child_protection"])
    login(coordinator)
    africa = client.get("/review/?region=africa").get_data(as_text=True)
    assert "An African need" in africa and "A European need" not in africa
    child = client.get("/review/?theme=child_protection").get_data(as_text=True)
    assert "A European need" in child and "An African need" not in child


def test_queue_is_for_coordinators_only(client, login, state_user, donor):
    for user in (state_user, donor):
        login(user)
        assert client.get("/review/").status_code == 403
        client.post("/auth/logout")


def test_full_story_over_http(client, auth, login, coordinator, donor, state_user, make_need, make_offer, db):
    need, offer = make_need(), make_offer(capacity=1)
    login(coordinator)
    review = client.get(f"/review/needs/{need.id}").get_data(as_text=True)
    assert offer.title in review and "Propose" in review
    with mail.record_messages() as outbox:
        response = client.post(f"/review/needs/{need.id}/propose", data={"offer_id": offer.id, "note": "Fits well"})
    assert response.status_code == 302
    assert {m.recipients[0] for m in outbox} == {donor.email, state_user.email}
    match = db.session.scalar(sa.select(Match))
    auth.logout()

    login(donor)
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f"/matches/{match.id}" in inbox
    missing_reason = client.post(f"/matches/{match.id}/decide", data={"decision": "declined"})
    assert missing_reason.status_code == 422
    assert "Say why you decline." in missing_reason.get_data(as_text=True)
    assert client.post(f"/matches/{match.id}/decide", data={"decision": "accepted"}).status_code == 302
    auth.logout()

    login(state_user)
    assert client.post(f"/matches/{match.id}/decide", data={"decision": "accepted"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == MatchStatus.AGREED
    assert offer.remaining_capacity == 0
    auth.logout()

    login(coordinator)
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    for action in ("Match proposed", "Donor accepted", "Requesting State confirmed"):
        assert action in page


def test_reject_with_reason_from_the_page(client, login, coordinator, make_need, make_offer, db):
    need, offer = make_need(), make_offer()
    login(coordinator)
    response = client.post(f"/review/needs/{need.id}/reject",
                           data={"offer_id": offer.id, "reason": "timing", "note": "Starts too late"})
    assert response.status_code == 302
    rejection = db.session.scalar(sa.select(Rejection))
    assert (rejection.reason, rejection.note) == ("timing", "Starts too late")
    page = client.get(f"/review/needs/{need.id}").get_data(as_text=True)
    assert f'name="offer_id" value="{offer.id}"' not in page


def test_pick_an_offer_by_hand_with_search(client, login, coordinator, make_need, make_offer, db):
    need = make_need()
    make_offer(title="Cours en français", working_languages=["fr"])
    login(coordinator)
    page = client.get(f"/review/needs/{need.id}?q=français").get_data(as_text=True)
    assert "Cours en français" in page
    offer_id = page.split('name="offer_id" value="')[-1].split('"')[0]
    refused = client.post(f"/review/needs/{need.id}/propose", data={"offer_id": offer_id})
    assert refused.status_code == 409
    assert "working language" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Match)) == 0


def test_third_party_cannot_see_a_match(client, login, coordinator, make_need, make_offer, make_user, db):
    from portal.matches import workflow

    match = workflow.propose(make_need(), make_offer(), coordinator)
    db.session.commit()
    login(make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY))
    assert client.get(f"/matches/{match.id}").status_code == 404
    assert client.post(f"/matches/{match.id}/decide", data={"decision": "accepted"}).status_code == 404


def test_outbox_shows_sent_mail_to_admins(client, login, admin_user, coordinator, make_need, make_offer, db):
    from portal.matches import workflow

    workflow.propose(make_need(), make_offer(), coordinator, note="outbox check")
    db.session.commit()
    login(admin_user)
    page = client.get("/inbox/outbox").get_data(as_text=True)
    assert "outbox check" in page and "An offer is proposed for your need" in page


def test_withdrawal_asks_first_and_passes_the_reason_on(client, login, coordinator, state_user, donor,
                                                       make_need, make_offer, db):
    from portal.matches import workflow

    need = make_need()
    match = workflow.propose(need, make_offer(), coordinator)
    db.session.commit()
    login(state_user)
    confirm = client.get(f"/needs/{need.id}/withdraw").get_data(as_text=True)
    assert "1 proposal in progress will be called off" in confirm
    with mail.record_messages() as outbox:
        client.post(f"/needs/{need.id}/withdraw", data={"reason": "Funded by the budget"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).closed_reason == "the need was withdrawn: Funded by the budget"
    assert any("Funded by the budget" in m.body for m in outbox if m.recipients == [donor.email])


def test_agreed_match_shows_who_to_contact(client, login, coordinator, state_user, donor, make_need, make_offer, db):
    from portal.matches import workflow
    from portal.matches.models import Decision

    match = workflow.propose(make_need(), make_offer(), coordinator)
    db.session.commit()
    login(donor)
    assert "Who to contact" not in client.get(f"/matches/{match.id}").get_data(as_text=True)
    workflow.decide(match, donor, Decision.ACCEPTED)
    workflow.decide(match, state_user, Decision.ACCEPTED)
    db.session.commit()
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "Who to contact" in page and state_user.email in page


def test_a_need_whose_window_has_passed_is_not_urgent(client, login, coordinator, make_need):
    make_need(title="Long past need", start="2020-01", end="2020-06")
    login(coordinator)
    page = client.get("/review/").get_data(as_text=True)
    row = page.split("Long past need", 1)[1].split("</tr>", 1)[0]
    assert "Window passed" in row and "Urgent" not in row


def test_first_yes_tells_the_other_side(db, coordinator, state_user, donor, make_need, make_offer):
    from portal.matches import workflow
    from portal.matches.models import Decision

    match = workflow.propose(make_need(), make_offer(), coordinator)
    db.session.commit()
    with mail.record_messages() as outbox:
        workflow.decide(match, donor, Decision.ACCEPTED)
        db.session.commit()
    assert {m.recipients[0] for m in outbox} == {state_user.email, coordinator.email}
    assert "has yet to answer" in outbox[0].body
