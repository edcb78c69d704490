"""Plant unique markers in confidential needs, then look for them everywhere
another party can look: every page reachable by crawling, every GET route
with every record id, and every e-mail the platform sent."""

from __future__ import annotations

import io
import re
from collections import deque

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.auth.models import OrganisationKind, Role
from portal.extensions import mail
from portal.matches import workflow
from portal.matches.models import Decision, Match
from portal.models import Need, Offer
from portal.needs import services as needs
from tests.test_access_matrix_support import every_get_url

RESTRICTED_MARKER = "ZQXJ-restricted-7731"
HIDDEN_STATE_MARKER = "ZQXJ-hidden-state-4410"
LINK = re.compile(r'href="(/[^"#]*)"')


def readable_text(response) -> str:
    """What a reader gets: the page, or the text of a PDF download."""
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def crawl(client, start: str = "/", limit: int = 400) -> dict[str, str]:
    """Every same-site page reachable from ``start`` by links (GET only)."""
    pages: dict[str, str] = {}
    queue = deque([start])
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in pages or url.startswith("/static/") or "logout" in url:
            continue
        response = client.get(url)
        pages[url] = readable_text(response)
        response.close()
        for link in LINK.findall(pages[url]):
            link = link.replace("&amp;", "&")
            if link not in pages:
                queue.append(link)
    return pages


@pytest.fixture
def secrets_world(app, db, make_user, make_organisation, make_offer, coordinator):
    """A restricted need with a marker, and a donors-only need whose State's
    name is a marker, both proposed to donors, with e-mails captured."""
    kenya = make_organisation(OrganisationKind.REQUESTING_STATE, name=HIDDEN_STATE_MARKER, country="KEN")
    state = make_user(Role.FOCAL_POINT, organisation=kenya)
    donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE)
    other_state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    offer = make_offer(user=donor, capacity=5)
    second_offer = make_offer(user=donor, title="Second offer on mutual legal assistance")
    with mail.record_messages() as outbox:
        restricted = needs.create_need(dict(_fields(RESTRICTED_MARKER), confidentiality="restricted"),
                                       state, submit=True)
        shared = needs.create_need(dict(_fields("Shared with donors"), confidentiality="donors"),
                                   state, submit=True)
        db.session.commit()
        restricted_match = workflow.propose(restricted, offer, coordinator)
        workflow.propose(shared, offer, coordinator)
        workflow.reject(restricted, second_offer, coordinator, reason="too_small")
        db.session.commit()
        needs.update_need(restricted, dict(_fields(RESTRICTED_MARKER + " edited"),
                                           confidentiality="restricted"), state)
        workflow.decide(restricted_match, state, Decision.DECLINED, reason=RESTRICTED_MARKER)
        db.session.commit()
    return {"donor": donor, "other_state": other_state, "outbox": list(outbox)}


def _fields(title: str) -> dict:
    from tests.factories import need_fields

    return need_fields(title=title, description=f"{title}: weaknesses of our forensic capacity.")


@pytest.mark.parametrize("role", ["donor", "other_state"])
def test_no_page_reveals_a_restricted_need_or_a_withheld_state(client, login, secrets_world, role, app, db):
    login(secrets_world[role])
    pages = crawl(client)
    ids = {"need_id": db.session.scalars(sa.select(Need.id)).all(),
           "offer_id": db.session.scalars(sa.select(Offer.id)).all(),
           "match_id": db.session.scalars(sa.select(Match.id)).all()}
    for url in every_get_url(app, ids):
        if url not in pages:
            response = client.get(url)
            pages[url] = readable_text(response)
            response.close()
    assert len(pages) > 20
    for url, body in pages.items():
        assert RESTRICTED_MARKER not in body, f"restricted need leaked on {url}"
        assert HIDDEN_STATE_MARKER not in body, f"withheld State leaked on {url}"


def test_no_email_to_another_party_reveals_them(secrets_world):
    assert secrets_world["outbox"], "the scenario sent no e-mail at all"
    for message in secrets_world["outbox"]:
        if message.recipients == [secrets_world["donor"].email] or \
                message.recipients == [secrets_world["other_state"].email]:
            assert RESTRICTED_MARKER not in message.body + message.subject
            assert HIDDEN_STATE_MARKER not in message.body + message.subject


def test_the_crawl_does_find_the_markers_where_they_may_be_read(client, login, secrets_world, coordinator):
    """Control: the secretariat may read both, so the same crawl must find them."""
    login(coordinator)
    bodies = "".join(crawl(client).values())
    assert RESTRICTED_MARKER in bodies and HIDDEN_STATE_MARKER in bodies
