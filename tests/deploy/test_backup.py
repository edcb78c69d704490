"""Backups as the README says to take them: pg_dump, then pg_restore into a new database.

A database with accounts, a need, an offer, a proposal and their audit
trail is dumped to a file and restored into a fresh database; the
application, started on the copy, reads the same records, logs the same
people in, knows its migration revision, and the audit trail's triggers
still refuse to change history.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from portal import create_app
from portal.audit.models import AuditEvent
from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role, User
from portal.config import TestingConfig
from portal.extensions import db
from portal.matches import services as matches
from portal.matches import workflow
from portal.matches.models import Match
from portal.needs import services as needs_services
from portal.needs.models import Need
from portal.offers import services as offers_services
from portal.offers.models import Offer
from tests.databases import scratch_database, suite_database_url
from tests.factories import need_fields, offer_fields
from tests.fixtures.portal import PASSWORD


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no "+psycopg")."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def app_on(url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def snapshot() -> dict:
    """What a user would see of the records, as plain data."""
    return {
        "users": sorted(db.session.scalars(sa.select(User.email))),
        "needs": sorted((n.ref, n.title, n.status.value) for n in db.session.scalars(sa.select(Need))),
        "offers": sorted((o.ref, o.title, o.remaining_capacity) for o in db.session.scalars(sa.select(Offer))),
        "matches": sorted((m.need.ref, m.offer.ref, m.status.value) for m in db.session.scalars(sa.select(Match))),
        "candidates": {n.ref: [c.offer.ref for c in matches.candidates_for(n)]
                       for n in db.session.scalars(sa.select(Need))},
        "audit": db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    }


def seed() -> None:
    people = {}
    for key, role, kind, country in (("state", Role.FOCAL_POINT, OrganisationKind.REQUESTING_STATE, "KEN"),
                                     ("donor", Role.FOCAL_POINT, OrganisationKind.DONOR_STATE, None),
                                     ("coordinator", Role.COORDINATOR, OrganisationKind.SECRETARIAT, None)):
        organisation = Organisation(name=f"{key} organisation", kind=kind, country=country)
        db.session.add(organisation)
        people[key] = auth_services.create_user(email=f"{key}@example.org", name=key, password=PASSWORD,
                                                role=role, organisation=organisation)
    offer = offers_services.create_offer(offer_fields(), people["donor"], submit=True)
    need = needs_services.create_need(need_fields(), people["state"], submit=True)
    db.session.commit()
    workflow.propose(need, offer, people["coordinator"], note="Backed up")
    db.session.commit()


def test_pg_dump_and_pg_restore_give_back_the_same_records(tmp_path):
    if not suite_database_url():
        pytest.skip("TEST_DATABASE_URL is not set: backups are taken of PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are absent (Debian package postgresql-client)")
    backup = tmp_path / "capacity_match.dump"
    with scratch_database("backup") as original:
        app = app_on(original)
        with app.app_context():
            upgrade()
            seed()
            before = snapshot()
            db.session.remove()
            db.engine.dispose()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(backup),
                        libpq_url(original)], check=True, capture_output=True, timeout=120)
    assert backup.stat().st_size > 0
    assert before["matches"] and before["candidates"] and before["audit"]

    with scratch_database("restored") as restored:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(restored),
                        str(backup)], check=True, capture_output=True, timeout=120)
        app = app_on(restored)
        with app.app_context():
            assert snapshot() == before
            # The same people log in with the same passwords.
            assert auth_services.authenticate("state@example.org", PASSWORD).email == "state@example.org"
            # The schema is at the migrations' head: `flask db upgrade` has nothing to do.
            with db.engine.connect() as connection:
                revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            from alembic.script import ScriptDirectory

            script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
            assert revision == script.get_current_head()
            # The audit trail's triggers came back with it: history still cannot be rewritten.
            with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE audit_event SET note = 'rewritten'"))
            db.session.remove()
            db.engine.dispose()
