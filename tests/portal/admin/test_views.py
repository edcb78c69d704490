"""Administration pages: organisations, users and invitations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth import services
from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.extensions import mail
from tests.fixtures.portal import PASSWORD, count_rows

LINK_RE = re.compile(r"http://localhost/auth/invitation/[\w-]+")


@pytest.fixture
def state_organisation(make_organisation):
    return make_organisation(OrganisationKind.REQUESTING_STATE, name="Kenya", country="KEN")


@pytest.fixture
def admin(admin_user, login):
    return login(admin_user)


def admin_urls(organisation_id: int, user_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/admin/organisations"),
        ("get", "/admin/organisations/new"),
        ("post", "/admin/organisations/new"),
        ("get", f"/admin/organisations/{organisation_id}"),
        ("get", f"/admin/organisations/{organisation_id}/invite"),
        ("post", f"/admin/organisations/{organisation_id}/invite"),
        ("post", f"/admin/users/{user_id}/deactivate"),
        ("post", f"/admin/users/{user_id}/reactivate"),
    ]


@pytest.mark.parametrize("role", ["state", "donor", "coordinator"])
def test_only_admins_reach_administration(role, request, login, client, state_user):
    user = login(request.getfixturevalue({"state": "state_user", "donor": "donor_user",
                                          "coordinator": "coordinator"}[role]))
    for method, url in admin_urls(user.organisation_id, state_user.id):
        assert getattr(client, method)(url).status_code == 403, url
    assert state_user.active


def test_anonymous_visitors_are_sent_to_log_in(client, state_user):
    for method, url in admin_urls(state_user.organisation_id, state_user.id):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


def test_organisation_list_shows_kind_country_and_user_count(admin, client, make_user,
                                                             state_organisation):
    make_user(Role.FOCAL_POINT, organisation=state_organisation)
    make_user(Role.FOCAL_POINT, organisation=state_organisation)
    page = client.get("/admin/organisations").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td><a[^>]*>Kenya</a></td>(.*?)</tr>", page, re.S).group(1)
    assert "Requesting State" in row
    assert "<td>Kenya</td>" in row
    assert "<td>2</td>" in row


def test_organisation_list_is_paginated(admin, client, make_organisation):
    for number in range(7):  # ITEMS_PER_PAGE is 5 in tests; the admin's secretariat is one more
        make_organisation(OrganisationKind.NGO, name=f"NGO {number}")
    first = client.get("/admin/organisations").get_data(as_text=True)
    second = client.get("/admin/organisations?page=2").get_data(as_text=True)
    assert "NGO 0" in first and "NGO 6" not in first
    assert "NGO 6" in second and "NGO 0" not in second
    assert "Page 1 of 2" in first


def test_creating_an_organisation_stores_it(admin, client):
    response = client.post("/admin/organisations/new",
                           data={"name": "Republic of Ghana", "kind": "requesting_state",
                                 "country": "GHA"})
    created = services.find_organisation("Republic of Ghana")
    assert created.kind == OrganisationKind.REQUESTING_STATE
    assert created.country == "GHA"
    assert response.headers["Location"].endswith(f"/admin/organisations/{created.id}")


def test_a_state_without_country_is_refused_at_the_country_field(admin, client, db):
    before = count_rows(Organisation)
    response = client.post("/admin/organisations/new",
                           data={"name": "Ministry of Interior", "kind": "requesting_state",
                                 "country": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Ministry of Interior"' in page
    assert re.search(r'id="country-errors">\s*<li>Choose the country', page)
    assert count_rows(Organisation) == before


def test_a_duplicate_name_is_refused_at_the_name_field(admin, client, state_organisation):
    before = count_rows(Organisation)
    response = client.post("/admin/organisations/new",
                           data={"name": "Kenya", "kind": "ngo", "country": ""})
    page = response.get_data(as_text=True)
    assert re.search(r'id="name-errors">\s*<li>another organisation already has this name', page)
    assert 'value="Kenya"' in page
    assert count_rows(Organisation) == before


def test_organisation_page_lists_users_and_only_open_invitations(admin, client, make_user,
                                                                 state_organisation, db):
    make_user(Role.FOCAL_POINT, organisation=state_organisation, email="amina@example.org")
    for email, valid_for in (("open@example.org", timedelta(days=1)),
                             ("expired@example.org", timedelta(days=-1))):
        services.invite_user(email=email, name="Invitee", role=Role.FOCAL_POINT,
                             organisation=state_organisation, invited_by=None, valid_for=valid_for)
    db.session.commit()
    page = client.get(f"/admin/organisations/{state_organisation.id}").get_data(as_text=True)
    assert "amina@example.org" in page
    assert "open@example.org" in page
    assert "expired@example.org" not in page


def invite(client, organisation, **fields):
    data = {"name": "Wanjiru Kamau", "email": "wanjiru@example.org", "role": "focal_point", **fields}
    return client.post(f"/admin/organisations/{organisation.id}/invite", data=data)


def test_inviting_creates_an_invitation_and_mails_the_absolute_link(admin, client,
                                                                    state_organisation):
    with mail.record_messages() as outbox:
        response = invite(client, state_organisation)
    assert response.status_code == 302
    assert len(outbox) == 1
    assert outbox[0].recipients == ["wanjiru@example.org"]
    link = LINK_RE.search(outbox[0].body).group(0)
    token = link.rsplit("/", 1)[1]
    assert services.find_open_invitation(token).email == "wanjiru@example.org"


def test_a_focal_point_cannot_be_invited_to_the_secretariat(admin, admin_user, client):
    with mail.record_messages() as outbox:
        response = invite(client, admin_user.organisation, role="focal_point")
    assert re.search(r'id="role-errors">\s*<li>the secretariat has coordinators',
                     response.get_data(as_text=True))
    assert outbox == []
    assert count_rows(Invitation) == 0


def test_a_coordinator_cannot_be_invited_to_a_state(admin, client, state_organisation):
    response = invite(client, state_organisation, role="coordinator")
    assert "coordinators and administrators belong to the secretariat" in response.get_data(as_text=True)
    assert count_rows(Invitation) == 0


def test_development_shows_the_link_to_the_admin(app, admin, client, state_organisation):
    app.config["ENV_NAME"] = "development"
    response = invite(client, state_organisation)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert LINK_RE.search(page)


def test_outside_development_the_link_is_not_shown(admin, client, state_organisation):
    response = invite(client, state_organisation)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "An invitation was sent to wanjiru@example.org" in page
    assert not LINK_RE.search(page)


def test_when_mail_fails_the_invitation_is_kept_and_the_link_shown(admin, client, monkeypatch,
                                                                   state_organisation):
    def broken_send(message):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(mail, "send", broken_send)
    response = invite(client, state_organisation)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert count_rows(Invitation) == 1
    assert "could not be sent" in page
    assert LINK_RE.search(page)


def accept_link(client, state_organisation) -> str:
    with mail.record_messages() as outbox:
        invite(client, state_organisation)
    return LINK_RE.search(outbox[0].body).group(0).removeprefix("http://localhost")


def test_accepting_the_link_creates_a_user_who_can_log_in(admin, client, auth, state_organisation):
    path = accept_link(client, state_organisation)
    auth.logout()
    client.post(path, data={"name": "Wanjiru Kamau", "password": PASSWORD, "confirm": PASSWORD})
    auth.logout()
    response = auth.login("wanjiru@example.org")
    user = services.find_user("wanjiru@example.org")
    assert response.status_code == 302
    assert user.organisation_id == state_organisation.id
    assert user.role == Role.FOCAL_POINT


def test_a_used_invitation_link_gives_404(admin, client, auth, state_organisation):
    path = accept_link(client, state_organisation)
    auth.logout()
    client.post(path, data={"name": "Wanjiru Kamau", "password": PASSWORD, "confirm": PASSWORD})
    auth.logout()
    assert client.get(path).status_code == 404


def test_an_expired_invitation_link_gives_404(client, state_organisation, db):
    _, token = services.invite_user(
        email="late@example.org", name="Late", role=Role.FOCAL_POINT,
        organisation=state_organisation, invited_by=None, valid_for=timedelta(seconds=-1),
    )
    db.session.commit()
    assert client.get(f"/auth/invitation/{token}").status_code == 404


def test_a_deactivated_user_cannot_log_in(admin, client, auth, state_user):
    client.post(f"/admin/users/{state_user.id}/deactivate")
    auth.logout()
    assert auth.login(state_user).status_code == 200  # the form again, not a redirect
    assert not services.find_user(state_user.email).active


def test_a_reactivated_user_can_log_in_again(admin, client, auth, state_user, db):
    state_user.active = False
    db.session.commit()
    client.post(f"/admin/users/{state_user.id}/reactivate")
    auth.logout()
    assert auth.login(state_user).status_code == 302


def test_an_admin_cannot_deactivate_themself(admin, client, db):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "you cannot deactivate your own account" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).active


def test_deactivation_needs_the_csrf_token(app, admin, client, state_user, db):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/admin/users/{state_user.id}/deactivate")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.active).where(User.id == state_user.id))
