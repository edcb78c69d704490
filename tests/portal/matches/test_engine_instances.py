"""Two application instances on one database: each one's fitted engine follows the other's changes.

Each process keeps a fitted matching engine; production runs several
processes, on several machines whose clocks may disagree. Here two
applications (as two gunicorn instances would be) share one database: what
one changes, the other ranks with.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role
from portal.config import TestingConfig
from portal.extensions import db
from portal.matches import services as matches
from portal.needs import services as needs
from portal.needs.models import Need
from portal.offers import services as offers
from portal.offers.models import Offer
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import PASSWORD


@pytest.fixture
def two_instances(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    first, second = create_app(Config), create_app(Config)
    with first.app_context():
        db.drop_all()
        db.create_all()
    yield first, second
    for app in (second, first):
        with app.app_context():
            db.session.remove()
            if app is first:
                db.drop_all()
            db.engine.dispose()


def seed(app) -> tuple[int, int]:
    """A State with a need and a donor with an offer; return their user ids."""
    with app.app_context():
        users = []
        for name, kind, country in (("Kenya", OrganisationKind.REQUESTING_STATE, "KEN"),
                                    ("Valdoria", OrganisationKind.DONOR_STATE, None)):
            organisation = Organisation(name=name, kind=kind, country=country)
            db.session.add(organisation)
            users.append(auth_services.create_user(
                email=f"{name.lower()}@example.org", name=name, password=PASSWORD,
                role=Role.FOCAL_POINT, organisation=organisation))
        db.session.commit()
        return users[0].id, users[1].id


def ranked(app, need_title: str) -> list[str]:
    """Rank the need in ``app`` now and return the titles of its candidates."""
    with app.app_context():
        need = db.session.scalars(sa.select(Need).where(Need.title == need_title)).one()
        matches.rank_need(need)
        db.session.commit()
        return [candidate.offer.title for candidate in matches.candidates_for(need)]


def test_an_offer_posted_on_one_instance_is_ranked_by_the_other(two_instances):
    first, second = two_instances
    state_id, donor_id = seed(first)
    with second.app_context():
        offers.create_offer(offer_fields(title="Offer one"), db.session.get(auth_services.User, donor_id),
                            submit=True)
        needs.create_need(need_fields(title="The need"), db.session.get(auth_services.User, state_id),
                          submit=True)
        db.session.commit()
    assert ranked(first, "The need") == ["Offer one"]  # the first instance fits its engine
    with second.app_context():
        offers.create_offer(offer_fields(title="Offer two"), db.session.get(auth_services.User, donor_id),
                            submit=True)
        db.session.commit()
    assert sorted(ranked(first, "The need")) == ["Offer one", "Offer two"]


def test_an_edit_stamped_by_a_slower_clock_still_reaches_the_other_instance(two_instances):
    """The second server's clock is behind: its edit's timestamp is older than the newest."""
    first, second = two_instances
    state_id, donor_id = seed(first)
    with first.app_context():
        donor = db.session.get(auth_services.User, donor_id)
        offers.create_offer(offer_fields(title="English offer"), donor, submit=True)
        offers.create_offer(offer_fields(title="French offer", working_languages=["fr"]), donor, submit=True)
        needs.create_need(need_fields(title="The need"), db.session.get(auth_services.User, state_id),
                          submit=True)
        db.session.commit()
    assert ranked(first, "The need") == ["English offer"]  # no shared working language
    with second.app_context():
        offer = db.session.scalars(sa.select(Offer).where(Offer.title == "French offer")).one()
        stamped = offer.updated_at
        fields = offer_fields(title="French offer", working_languages=["fr", "en"])
        offers.update_offer(offer, fields, db.session.get(auth_services.User, donor_id))
        db.session.commit()
        # As if this server's clock ran late: the change bears the time of the
        # offer's creation, so the newest timestamp of all did not move.
        db.session.execute(sa.update(Offer).where(Offer.id == offer.id).values(updated_at=stamped))
        db.session.commit()
    assert sorted(ranked(first, "The need")) == ["English offer", "French offer"]


def test_a_server_process_keeps_its_fitted_engine_out_of_full_garbage_collections(two_instances):
    """warm_up (gunicorn's post_worker_init) fits the engine and freezes it; a
    full collection then no longer walks the engine's objects."""
    import gc

    first, _ = two_instances
    state_id, donor_id = seed(first)
    with first.app_context():
        offers.create_offer(offer_fields(title="Offer one"), db.session.get(auth_services.User, donor_id),
                            submit=True)
        db.session.commit()
    gc.unfreeze()
    try:
        matches.warm_up(first)
        matcher = first.extensions["matching_engine"].engine.matcher
        assert matcher is not None
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert not any(obj is matcher.offers_ for obj in gc.get_objects())  # not walked any more
    finally:
        gc.unfreeze()
