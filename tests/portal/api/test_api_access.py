"""Each role's token against each operation of the API: the pages' access rules, by status code.

The world: a restricted need of STATE, an offer of DONOR, and the secretariat's
proposal of one for the other, which the State has not answered yet (so the
donor may not know of it).
"""

from __future__ import annotations

import pytest

from portal.auth.models import OrganisationKind, Role
from portal.matches import workflow
from tests.factories import need_fields, offer_fields
from tests.portal.api.conftest import bearer

ANON, STATE, OTHER_STATE, DONOR, OTHER_DONOR, COORDINATOR, ADMIN = (
    "anonymous", "state", "other_state", "donor", "other_donor", "coordinator", "admin")
ROLES = (STATE, OTHER_STATE, DONOR, OTHER_DONOR, COORDINATOR, ADMIN)


def expect(default: int, **codes: int) -> dict[str, int]:
    return {role: codes.get(role, default) for role in ROLES}


DRAFT_NEED = {"title": "A draft need", "language": "en"}
DRAFT_OFFER = {"title": "A draft offer", "language": "en"}

# (method, url template, JSON body, expected status for each role)
OPERATIONS = [
    ("GET", "/api/v1/needs", None, expect(200)),
    ("POST", "/api/v1/needs", DRAFT_NEED, expect(403, state=201, other_state=201)),
    ("GET", "/api/v1/needs/{need_id}", None, expect(404, state=200, coordinator=200, admin=200)),
    ("PATCH", "/api/v1/needs/{need_id}", {}, expect(404, state=200, coordinator=403, admin=403)),
    ("GET", "/api/v1/needs/{need_id}/ranking", None, expect(404, state=403, coordinator=200, admin=200)),
    ("GET", "/api/v1/offers", None, expect(200)),
    ("POST", "/api/v1/offers", DRAFT_OFFER, expect(403, donor=201, other_donor=201)),
    ("GET", "/api/v1/offers/{offer_id}", None, expect(404, donor=200, coordinator=200, admin=200)),
    ("PATCH", "/api/v1/offers/{offer_id}", {}, expect(404, donor=200, coordinator=403, admin=403)),
    ("GET", "/api/v1/matches", None, expect(200)),
    # The State has not accepted: the donor may not know of the proposal yet.
    ("GET", "/api/v1/matches/{match_id}", None, expect(404, state=200, coordinator=200, admin=200)),
]


@pytest.fixture
def world(app, db, make_user, make_need, make_offer, make_token):
    users = {
        STATE: make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN"),
        OTHER_STATE: make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA"),
        DONOR: make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE),
        OTHER_DONOR: make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY),
        COORDINATOR: make_user(Role.COORDINATOR),
        ADMIN: make_user(Role.ADMIN),
    }
    need = make_need(user=users[STATE], **need_fields(confidentiality="restricted"))
    offer = make_offer(user=users[DONOR], **offer_fields())
    match = workflow.propose(need, offer, users[COORDINATOR])
    db.session.commit()
    tokens = {role: make_token(user) for role, user in users.items()}
    return tokens, {"need_id": need.id, "offer_id": offer.id, "match_id": match.id}


@pytest.mark.parametrize("method,template,body,expected", OPERATIONS,
                         ids=[f"{m} {t}" for m, t, _, _ in OPERATIONS])
def test_each_roles_token_gets_what_the_pages_allow(client, world, method, template, body, expected):
    tokens, ids = world
    url = template.format(**ids)
    wrong = []
    for role in ROLES:
        response = client.open(url, method=method, json=body, headers=bearer(tokens[role]))
        if response.status_code != expected[role]:
            wrong.append(f"{role}: {response.status_code} (expected {expected[role]})")
        assert response.is_json, f"{method} {url} as {role} did not answer JSON"
    anonymous = client.open(url, method=method, json=body)
    if anonymous.status_code != 401:
        wrong.append(f"without a token: {anonymous.status_code}")
    assert wrong == [], f"{method} {url}: " + "; ".join(wrong)


def test_a_restricted_need_and_its_state_never_reach_a_donors_token(client, world):
    """Every GET operation with every id, as the donor: the restricted need's text never appears."""
    tokens, ids = world
    from portal.extensions import db
    from portal.models import Need

    need = db.session.get(Need, ids["need_id"])
    for method, template, _, _ in OPERATIONS:
        if method != "GET":
            continue
        body = client.get(template.format(**ids), headers=bearer(tokens[DONOR])).get_data(as_text=True)
        assert need.ref not in body and need.title not in body, template
