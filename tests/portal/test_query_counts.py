"""No page runs a query per row: the number of SQL statements a page sends does
not grow with the records it shows (lists, review queue, need pages).

Each page is read once with a few records and once with many more (more rows
on the page, more candidates, matches and audit events); the statement counts
must be equal, and small. This is what the load test (tests/benchmarks/
test_load.py) needs at 10,000 needs; an N+1 query fails here first.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.audit.models import AuditEvent
from portal.auth.models import OrganisationKind, Role
from portal.matches.models import Decision, Match, MatchStatus, RankedCandidate
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import Status
from tests.fixtures.portal import AuthActions

#: No page needs more statements than this (user, page, count, inbox badge, details...).
MAX_STATEMENTS = 14


@contextmanager
def counting(db):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _common(i: int, prefix: str) -> dict:
    return dict(ref=f"{prefix}-{i}", title=f"{prefix} record {i}", description="Training on evidence.",
                language="en", working_languages=["en"], themes=["electronic_evidence"],
                modalities=["training"], beneficiaries=["prosecution"], delivery=["remote"],
                budget_usd=50_000, start="2027-01", end="2027-12", status=Status.SUBMITTED)


@pytest.fixture
def world(app, db, make_user, make_organisation):
    """A State, another State, a donor and a coordinator; ``grow(n)`` adds n of everything."""
    state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN")
    other = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE)
    coordinator = make_user(Role.COORDINATOR)
    made: dict = {"n": 0}

    def grow(n: int) -> Need:
        """Add n needs of each State, n offers, and for the first need n candidates,
        n matches (every other one agreed by the State) and n audit events."""
        start = made["n"]
        made["n"] += n
        needs = [Need(**_common(i, f"N{owner.id}"), organisation_id=owner.organisation_id,
                      country=owner.organisation.country,
                      confidentiality="donors" if owner is other else "restricted")
                 for i in range(start, start + n) for owner in (state, other)]
        offers = [Offer(**_common(i, "O"), organisation_id=donor.organisation_id,
                        provider="Donor", regions=[], eligible_countries=[], excluded_countries=[],
                        capacity=3, remaining_capacity=3) for i in range(start, start + n)]
        db.session.add_all(needs + offers)
        db.session.flush()
        first = made.setdefault("first", needs[0])
        for k, offer in enumerate(offers):
            db.session.add(RankedCandidate(need_id=first.id, offer_id=offer.id, rank=start + k + 1,
                                           score=1.0, reasons=[{"code": "x", "params": {}, "text": "Why."}],
                                           features={}))
            db.session.add(Match(need_id=needs[2 * k + k % 2].id, offer_id=offer.id,
                                 status=MatchStatus.AGREED if k % 2 else MatchStatus.PROPOSED,
                                 state_decision=Decision.ACCEPTED if k % 2 else None,
                                 proposed_by_id=coordinator.id))
            db.session.add(AuditEvent(action="need.edited", subject_type="need", subject_id=first.id,
                                      actor_id=[state, coordinator][k % 2].id))
        db.session.commit()
        return first

    return {"state": state, "other": other, "donor": donor, "coordinator": coordinator, "grow": grow}


PAGES = [
    ("coordinator", "/needs/"),
    ("coordinator", "/needs/?theme=electronic_evidence&q=record"),
    ("coordinator", "/review/"),
    ("coordinator", "/review/needs/{need}"),
    ("coordinator", "/needs/{need}"),
    ("coordinator", "/matches/"),
    ("coordinator", "/offers/"),
    ("state", "/needs/"),
    ("state", "/needs/{need}"),
    ("state", "/matches/"),
    ("donor", "/needs/browse"),
    ("donor", "/offers/"),
    ("donor", "/matches/"),
]


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_statements_do_not_grow_with_rows(app, db, world, role, path):
    client = app.test_client()
    assert AuthActions(client).login(world[role]).status_code == 302
    need = world["grow"](2)
    url = path.format(need=need.id)
    client.get(url)  # the first request of a session may set things up
    with counting(db) as few:
        response = client.get(url)
    assert response.status_code == 200
    world["grow"](12)
    client.get(url)  # the same warm-up after the new rows' commit
    with counting(db) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), (
        f"{url} as {role}: {len(few)} statements with few rows, {len(many)} with more:\n"
        + "\n".join(s[:120] for s in many))
    assert len(many) <= MAX_STATEMENTS, "\n".join(s[:120] for s in many)
