"""``visibility.readable_by`` (what exports and the API list) is ``can_read`` as one query."""

from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import OrganisationKind, Role
from portal.matches import workflow
from portal.matches.models import Decision
from portal.models import Need
from portal.needs import services as needs
from portal.needs import visibility
from tests.factories import need_fields


def test_readable_by_lists_exactly_the_needs_can_read_allows(db, make_user, make_offer, coordinator, admin_user):
    state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN")
    other_state = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="GHA")
    donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.DONOR_STATE)
    other_donor = make_user(Role.FOCAL_POINT, kind=OrganisationKind.NGO)
    offer = make_offer(user=donor, capacity=5)
    made = []
    for owner in (state, other_state):
        for level in ("public", "donors", "restricted"):
            for submit in (True, False):
                made.append(needs.create_need(need_fields(confidentiality=level), owner, submit=submit))
    db.session.commit()
    accepted = next(n for n in made if n.organisation_id == state.organisation_id
                    and n.confidentiality == "restricted" and n.status == "submitted")
    match = workflow.propose(accepted, offer, coordinator)
    workflow.decide(match, state, Decision.ACCEPTED)
    withdrawn = needs.create_need(need_fields(confidentiality="public"), other_state, submit=True)
    needs.withdraw_need(withdrawn, other_state)
    db.session.commit()

    every_need = list(db.session.scalars(sa.select(Need)))
    for user in (state, other_state, donor, other_donor, coordinator, admin_user):
        listed = set(db.session.scalars(visibility.readable_by(user)))
        allowed = {need for need in every_need if visibility.can_read(user, need)}
        assert listed == allowed, user
    assert accepted in set(db.session.scalars(visibility.readable_by(donor)))
    assert accepted not in set(db.session.scalars(visibility.readable_by(other_donor)))
