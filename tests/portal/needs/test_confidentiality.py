"""A need's confidentiality decides who reads it and who learns which State asks."""

from __future__ import annotations

import pytest

from portal.extensions import mail
from portal.matches import services as rankings
from portal.matches import workflow
from portal.matches.models import Decision


@pytest.mark.parametrize(("level", "listed", "readable", "named"), [
    ("public", True, True, True),
    ("donors", True, True, False),
    ("restricted", False, False, False),
])
def test_what_a_donor_sees_of_each_level(client, login, donor, make_need, level, listed, readable, named):
    need = make_need(title=f"A {level} need", confidentiality=level)
    login(donor)
    browse = client.get("/needs/browse").get_data(as_text=True)
    assert (f"A {level} need" in browse) is listed
    response = client.get(f"/needs/{need.id}")
    assert (response.status_code == 200) is readable
    if readable:
        page = response.get_data(as_text=True)
        assert ("Kenya" in page) is named
        assert ("name withheld" in page) is not named


def test_another_state_sees_public_needs_only(client, login, make_user, make_need):
    from portal.auth.models import OrganisationKind, Role

    make_need(title="Shared with donors", confidentiality="donors")
    public = make_need(title="Open to all", confidentiality="public")
    login(make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA"))
    browse = client.get("/needs/browse").get_data(as_text=True)
    assert "Open to all" in browse and "Shared with donors" not in browse
    assert client.get(f"/needs/{public.id}").status_code == 200


def test_a_restricted_need_reaches_the_donor_only_once_the_state_agrees(
        client, login, auth, db, coordinator, donor, state_user, make_need, make_offer):
    need = make_need(title="Sensitive gap in forensic capacity", confidentiality="restricted")
    offer = make_offer()
    with mail.record_messages() as outbox:
        match = workflow.propose(need, offer, coordinator)
        db.session.commit()
    assert donor.email not in {m.recipients[0] for m in outbox}
    assert rankings.waiting_for(donor) == []
    login(donor)
    assert client.get(f"/matches/{match.id}").status_code == 404
    assert "Sensitive gap" not in client.get("/matches/").get_data(as_text=True)
    assert "Sensitive gap" not in client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "Sensitive gap" not in client.get("/inbox/").get_data(as_text=True)
    auth.logout()

    with mail.record_messages() as outbox:
        workflow.decide(match, state_user, Decision.ACCEPTED)
        db.session.commit()
    to_donor = [m for m in outbox if m.recipients == [donor.email]]
    assert len(to_donor) == 1 and "proposed for a need" in to_donor[0].subject
    login(donor)
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "Sensitive gap" in page and "Kenya" in page


def test_a_withdrawn_restricted_need_tells_no_donor_who_never_knew(
        db, coordinator, donor, state_user, make_need, make_offer):
    from portal.needs import services as needs

    need = make_need(confidentiality="restricted")
    workflow.propose(need, make_offer(), coordinator)
    db.session.commit()
    with mail.record_messages() as outbox:
        needs.withdraw_need(need, state_user, "no longer needed")
        db.session.commit()
    assert donor.email not in {m.recipients[0] for m in outbox}


def test_the_state_chooses_the_level_in_the_form(client, login, state_user, db):
    import sqlalchemy as sa

    from portal.needs.models import Confidentiality, Need
    from tests.portal.needs.test_views import need_form

    login(state_user)
    form = client.get("/needs/new").get_data(as_text=True)
    assert 'value="restricted" checked' in form or "value=\"restricted\"" in form
    client.post("/needs/new", data=need_form(confidentiality="donors"))
    assert db.session.scalar(sa.select(Need.confidentiality)) == Confidentiality.DONORS
