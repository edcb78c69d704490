"""Who may read and who may change what: every route, every role.

The routes come from the application's URL map, so a new route that is not
in ``MATRIX`` fails ``test_every_route_has_an_access_rule`` until someone
decides who may use it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.api import services as api_services
from portal.auth.models import OrganisationKind, Role
from portal.config import TestingConfig
from portal.matches import workflow
from portal.matches.models import Match, Rejection
from portal.models import Invitation, Need, Offer, Organisation, User
from portal.notifications.models import Notification

ANON, STATE, OTHER_STATE, DONOR, OTHER_DONOR, COORDINATOR, ADMIN = (
    "anonymous", "state", "other_state", "donor", "other_donor", "coordinator", "admin")
ROLES = (ANON, STATE, OTHER_STATE, DONOR, OTHER_DONOR, COORDINATOR, ADMIN)
LOGGED_IN = frozenset(ROLES) - {ANON}
STAFF = frozenset({COORDINATOR, ADMIN})
EVERYONE = frozenset(ROLES)
NOBODY: frozenset = frozenset()

# endpoint -> (roles that may read it with GET, roles that may change with POST)
MATRIX: dict[str, tuple[frozenset, frozenset]] = {
    "static": (EVERYONE, NOBODY),
    "main.index": (EVERYONE, NOBODY),
    # The language switcher: anyone may choose; a logged-in user's choice goes to the profile.
    "i18n.switch_language": (NOBODY, EVERYONE),
    # Liveness and database reachability, for load balancers: no data in it.
    "main.healthz": (EVERYONE, NOBODY),
    "auth.login": (EVERYONE, EVERYONE),
    # The second step of a login in progress: without one, an anonymous visitor
    # is sent back to the login page (a logged-in user is sent on).
    "auth.login_code": (LOGGED_IN, LOGGED_IN),
    "auth.logout": (NOBODY, LOGGED_IN),
    "auth.accept_invitation": (NOBODY, NOBODY),  # only with a valid token (tested in auth)
    "auth.account": (LOGGED_IN, NOBODY),
    "auth.change_password": (LOGGED_IN, LOGGED_IN),
    "auth.totp_setup": (LOGGED_IN, LOGGED_IN),
    "needs.index": (LOGGED_IN, NOBODY),
    "needs.browse": (LOGGED_IN, NOBODY),
    "needs.new": (frozenset({STATE, OTHER_STATE}), frozenset({STATE, OTHER_STATE})),
    # The need is restricted: its State and the secretariat only.
    "needs.view": (frozenset({STATE}) | STAFF, NOBODY),
    "needs.edit": (frozenset({STATE}), frozenset({STATE})),
    "needs.submit": (NOBODY, frozenset({STATE})),
    "needs.withdraw": (frozenset({STATE}), frozenset({STATE})),
    "offers.index": (LOGGED_IN, NOBODY),
    "offers.new": (frozenset({DONOR, OTHER_DONOR}), frozenset({DONOR, OTHER_DONOR})),
    "offers.view": (frozenset({DONOR}) | STAFF, NOBODY),
    "offers.edit": (frozenset({DONOR}), frozenset({DONOR})),
    "offers.submit": (NOBODY, frozenset({DONOR})),
    "offers.withdraw": (frozenset({DONOR}), frozenset({DONOR})),
    "review.queue": (STAFF, NOBODY),
    "review.need": (STAFF, NOBODY),
    "review.propose": (NOBODY, STAFF),
    "review.reject": (NOBODY, STAFF),
    "matches.index": (LOGGED_IN, NOBODY),
    # A proposal for a restricted need stays hidden from the donor until the State agrees.
    "matches.view": (frozenset({STATE}) | STAFF, NOBODY),
    "matches.decide": (NOBODY, frozenset({STATE}) | STAFF),
    "matches.start_delivery": (NOBODY, frozenset({STATE}) | STAFF),
    "matches.complete": (NOBODY, frozenset({STATE}) | STAFF),
    "matches.cancel": (NOBODY, STAFF),
    "notifications.inbox": (LOGGED_IN, NOBODY),
    "notifications.open_notification": (NOBODY, frozenset({STATE})),
    "notifications.outbox": (frozenset({ADMIN}), NOBODY),
    "admin.organisations": (frozenset({ADMIN}), NOBODY),
    "admin.organisation": (frozenset({ADMIN}), NOBODY),
    "admin.new_organisation": (frozenset({ADMIN}), frozenset({ADMIN})),
    "admin.invite": (frozenset({ADMIN}), frozenset({ADMIN})),
    "admin.deactivate_user": (NOBODY, frozenset({ADMIN})),
    "admin.reactivate_user": (NOBODY, frozenset({ADMIN})),
    "insight.dashboard": (STAFF, NOBODY),
    # Aggregates only, small figures suppressed; the secretariat's copy of the
    # report also lists needs and matches (tests/portal/insight).
    "insight.public": (EVERYONE, NOBODY),
    "insight.report": (EVERYONE, NOBODY),
    "insight.report_pdf": (EVERYONE, NOBODY),
    # Exports: each user downloads what the pages show them (tested in tests/portal/exports).
    "exports.index": (LOGGED_IN, NOBODY),
    "exports.needs_csv": (LOGGED_IN, NOBODY),
    "exports.needs_json": (LOGGED_IN, NOBODY),
    "exports.offers_csv": (LOGGED_IN, NOBODY),
    "exports.offers_json": (LOGGED_IN, NOBODY),
    "exports.matches_csv": (LOGGED_IN, NOBODY),
    "exports.matches_json": (LOGGED_IN, NOBODY),
    "exports.offers_iati": (LOGGED_IN, NOBODY),
    # API tokens: everyone manages their own; the world's token is the State's.
    "api.tokens": (LOGGED_IN, LOGGED_IN),
    "api.revoke": (NOBODY, frozenset({STATE})),
    "api.docs": (EVERYONE, NOBODY),
    "api-docs.openapi_json": (EVERYONE, NOBODY),
    # The JSON API takes bearer tokens only: a session cookie gets 401, whoever it is.
    # tests/portal/api/test_api_access.py tries each role's token on each operation.
    "api_needs.list_needs": (NOBODY, NOBODY),
    "api_needs.create_need": (NOBODY, NOBODY),
    "api_needs.read_need": (NOBODY, NOBODY),
    "api_needs.update_need": (NOBODY, NOBODY),
    "api_needs.read_ranking": (NOBODY, NOBODY),
    "api_offers.list_offers": (NOBODY, NOBODY),
    "api_offers.create_offer": (NOBODY, NOBODY),
    "api_offers.read_offer": (NOBODY, NOBODY),
    "api_offers.update_offer": (NOBODY, NOBODY),
    "api_matches.list_matches": (NOBODY, NOBODY),
    "api_matches.read_match": (NOBODY, NOBODY),
}


def route_methods() -> dict[str, set[str]]:
    app = create_app(TestingConfig)
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return methods


ROUTES = route_methods()


def test_every_route_has_an_access_rule():
    assert set(ROUTES) - set(MATRIX) == set(), "routes with no rule in the access matrix"
    assert set(MATRIX) - set(ROUTES) == set(), "rules for routes that no longer exist"


@pytest.fixture
def world(app, db, make_user, make_organisation, make_need, make_offer):
    """Two States, two donors, the secretariat, and a restricted need proposed to a donor."""
    users = {
        STATE: make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN"),
        OTHER_STATE: make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA"),
        DONOR: make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE),
        OTHER_DONOR: make_user(Role.FOCAL_POINT, kind=OrganisationKind.COMPANY),
        COORDINATOR: make_user(Role.COORDINATOR),
        ADMIN: make_user(Role.ADMIN),
    }
    need = make_need(user=users[STATE], confidentiality="restricted")
    offer = make_offer(user=users[DONOR])
    match = workflow.propose(need, offer, users[COORDINATOR])
    db.session.commit()
    spare = make_user(Role.FOCAL_POINT, kind=OrganisationKind.NGO)
    token, _ = api_services.create_token(users[STATE], "world")
    db.session.commit()
    notification = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == users[STATE].id))
    values = {
        "need_id": need.id, "offer_id": offer.id, "match_id": match.id,
        "notification_id": notification.id, "organisation_id": users[STATE].organisation_id,
        "user_id": spare.id, "token": "no-such-invitation", "filename": "app.css",
        "token_id": token.id,
    }
    return users, values


def snapshot(db) -> tuple:
    """Everything a refused request must leave as it was."""
    db.session.expire_all()
    counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                   for model in (Need, Offer, Match, Rejection, User, Organisation, Invitation))
    states = (
        tuple(db.session.execute(sa.select(Need.id, Need.status, Need.version).order_by(Need.id))),
        tuple(db.session.execute(sa.select(Offer.id, Offer.status, Offer.version).order_by(Offer.id))),
        tuple(db.session.execute(sa.select(Match.id, Match.status, Match.version).order_by(Match.id))),
        tuple(db.session.execute(sa.select(User.id, User.active).order_by(User.id))),
    )
    return counts, states


def url_for_endpoint(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def refused(response, role: str) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.headers.get("Location", "")
    return role == ANON and response.status_code == 302 and "/auth/login" in location


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(endpoint, app, db, client, auth, login, world):
    users, values = world
    url = url_for_endpoint(app, endpoint, values)
    readers, changers = MATRIX[endpoint]
    methods = ROUTES[endpoint]
    wrong = []
    # Refused roles first: a permitted change may alter what later roles see.
    for role in sorted(ROLES, key=lambda r: r in readers or r in changers):
        if role != ANON:
            login(users[role])
        if "GET" in methods:
            response = client.get(url)
            response.close()  # static files are streamed
            if refused(response, role) is (role in readers):
                wrong.append(f"GET as {role}: {response.status_code} {response.headers.get('Location', '')}")
        if "POST" in methods:
            before = snapshot(db)
            response = client.post(url, data={})
            if refused(response, role) is (role in changers):
                wrong.append(f"POST as {role}: {response.status_code} {response.headers.get('Location', '')}")
            if role not in changers and snapshot(db) != before:
                wrong.append(f"refused POST as {role} changed something")
        if role != ANON:
            auth.logout()
    assert wrong == [], f"{url}: " + "; ".join(wrong)
