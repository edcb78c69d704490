"""Fill a database with a production-sized platform for the load and crash tests.

10,000 needs, 10,000 offers, 50,000 stored candidates (the rankings table the
pages read), matches in every status, rejections, audit events, and the
accounts of the benchmark's users: several requesting States, donors of every
kind and coordinators (with TOTP secrets). Rows are written with bulk inserts
(SQLAlchemy Core, executemany), not through the services and the engine, so a
seed takes seconds; the schema comes from the Alembic migrations, as in
production.

``python -m tests.benchmarks.seed DATABASE_URL`` seeds from the command line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import sqlalchemy as sa

from matching import COUNTRY_REGION
from portal.audit.models import AuditEvent
from portal.auth.models import Organisation, OrganisationKind, Role, User
from portal.database import utcnow
from portal.idempotency import FormSubmission
from portal.matches.models import Match, RankedCandidate, Rejection
from portal.needs.models import Need
from portal.offers.models import Offer
from tests.benchmarks.generator import generate

#: The benchmark accounts' password (not a production secret: a throw-away database).
PASSWORD = "load-benchmark passphrase 2026"
#: The benchmark coordinators' TOTP secret (base32).
TOTP_SECRET = "LOADBENCHLOADBENCHLOADBENCHLOADB"
DONOR_KINDS = [OrganisationKind.DONOR_STATE, OrganisationKind.INTERNATIONAL_ORGANISATION,
               OrganisationKind.COMPANY, OrganisationKind.NGO, OrganisationKind.ACADEMIA]


@dataclass
class Accounts:
    """E-mails of the seeded accounts, by kind (one per simulated user)."""

    states: list[str] = field(default_factory=list)
    donors: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)


def _app(url: str):
    from portal import create_app
    from portal.config import Config

    class SeedConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "seed-only-" + "0123456789abcdefghijklmnopqrstuv"
        # A command-line tool that serves no one: nothing to rate-limit.
        RATELIMIT_ENABLED = False

    return create_app(SeedConfig)


def migrate_schema(url: str) -> None:
    """Create the schema with the Alembic migrations (``flask db upgrade``)."""
    from flask_migrate import upgrade

    app = _app(url)
    with app.app_context():
        upgrade()
        from portal.extensions import db
        db.engine.dispose()


def _reasons(rng: np.random.Generator, themes: list[str]) -> list[dict]:
    reasons = []
    if themes:
        reasons.append({"code": "shared_themes", "params": {"themes": themes[:2]},
                        "text": f"Both are about {', '.join(themes[:2])}."})
    reasons.append({"code": "similar_terms", "params": {"terms": ["evidence", "forensics"]},
                    "text": "Shared terms: electronic evidence, digital forensics."})
    if rng.random() < 0.5:
        reasons.append({"code": "windows_overlap", "params": {}, "text": "The windows overlap."})
    return reasons


def seed(url: str, *, n_needs: int = 10_000, n_offers: int = 10_000, n_candidates: int = 50_000,
         n_states: int = 40, n_donors: int = 25, n_coordinators: int = 25,
         random_state: int = 0) -> Accounts:
    """Migrate an empty database at ``url`` and fill it; return the accounts."""
    migrate_schema(url)
    rng = np.random.default_rng(random_state)
    needs, offers = generate(n_needs, n_offers, seed=random_state)
    app = _app(url)
    accounts = Accounts()
    with app.app_context():
        from portal.auth.passwords import hash_password
        from portal.extensions import db

        password_hash = hash_password(PASSWORD)  # one hash at production cost, shared
        now = utcnow()
        countries = sorted(c for c, r in COUNTRY_REGION.items() if r)
        state_countries = [countries[i] for i in rng.choice(len(countries), n_states, replace=False)]
        orgs = [{"name": "Secretariat", "kind": OrganisationKind.SECRETARIAT, "country": None,
                 "created_at": now}]
        orgs += [{"name": f"State of {c}", "kind": OrganisationKind.REQUESTING_STATE, "country": c,
                  "created_at": now} for c in state_countries]
        orgs += [{"name": f"Donor {i}", "kind": DONOR_KINDS[i % len(DONOR_KINDS)], "country": None,
                  "created_at": now} for i in range(n_donors)]
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Organisation), orgs)
            org_ids = dict(conn.execute(sa.select(Organisation.name, Organisation.id)).all())
            secretariat = org_ids["Secretariat"]
            state_ids = [org_ids[f"State of {c}"] for c in state_countries]
            donor_ids = [org_ids[f"Donor {i}"] for i in range(n_donors)]

            users = []
            for i, org in enumerate(state_ids):
                accounts.states.append(f"state{i}@load.example")
                users.append((accounts.states[-1], org, Role.FOCAL_POINT, None))
            for i, org in enumerate(donor_ids):
                accounts.donors.append(f"donor{i}@load.example")
                users.append((accounts.donors[-1], org, Role.FOCAL_POINT, None))
            for i in range(n_coordinators):
                accounts.coordinators.append(f"coordinator{i}@load.example")
                users.append((accounts.coordinators[-1], secretariat, Role.COORDINATOR, TOTP_SECRET))
            conn.execute(sa.insert(User), [
                {"email": email, "name": email.split("@")[0].title(), "password_hash": password_hash,
                 "role": role, "organisation_id": org, "active": True, "created_at": now,
                 "session_version": 1, "totp_secret": totp, "failed_login_count": 0}
                for email, org, role, totp in users])
            user_ids = dict(conn.execute(sa.select(User.email, User.id)).all())
            coordinator_ids = [user_ids[e] for e in accounts.coordinators]

            # Needs: most open (submitted / under review), some in every other status.
            need_statuses = rng.choice(
                ["submitted", "under_review", "draft", "matched", "withdrawn", "completed"],
                size=n_needs, p=[0.6, 0.2, 0.06, 0.06, 0.04, 0.04])
            levels = rng.choice(["public", "donors", "restricted"], size=n_needs, p=[0.3, 0.3, 0.4])
            need_rows = []
            for i, record in enumerate(needs):
                org_index = int(rng.integers(len(state_ids)))
                created = now - timedelta(minutes=int(rng.integers(0, 500_000)))
                need_rows.append(_common(record, created) | {
                    "organisation_id": state_ids[org_index], "country": state_countries[org_index],
                    "status": str(need_statuses[i]), "confidentiality": str(levels[i])})
            conn.execute(sa.insert(Need), need_rows)
            offer_statuses = rng.choice(["submitted", "under_review", "draft", "matched", "withdrawn"],
                                        size=n_offers, p=[0.6, 0.2, 0.05, 0.1, 0.05])
            offer_rows = []
            for i, record in enumerate(offers):
                created = now - timedelta(minutes=int(rng.integers(0, 500_000)))
                offer_rows.append(_common(record, created) | {
                    "organisation_id": donor_ids[int(rng.integers(len(donor_ids)))],
                    "provider": record["provider"], "regions": record["regions"],
                    "eligible_countries": [], "excluded_countries": record["excluded_countries"],
                    "capacity": record["capacity"], "remaining_capacity": record["capacity"],
                    "status": str(offer_statuses[i])})
            conn.execute(sa.insert(Offer), offer_rows)

            need_ids = {ref: i for ref, i in conn.execute(sa.select(Need.ref, Need.id))}
            offer_ids = {ref: i for ref, i in conn.execute(sa.select(Offer.ref, Offer.id))}
            open_needs = [need_ids[r["id"]] for r, s in zip(needs, need_statuses, strict=True)
                          if s in ("submitted", "under_review")]
            matchable = np.array([offer_ids[r["id"]] for r, s in zip(offers, offer_statuses, strict=True)
                                  if s not in ("draft", "withdrawn")])

            # 50,000 stored candidates spread over the open needs (5 to 10 per need).
            themes_of = {need_ids[r["id"]]: r["themes"] for r in needs}
            candidate_rows, per_need = [], {}
            while len(candidate_rows) < n_candidates:
                for need_id in open_needs:
                    if len(candidate_rows) >= n_candidates:
                        break
                    taken = per_need.setdefault(need_id, set())
                    offer_id = int(matchable[rng.integers(len(matchable))])
                    if offer_id in taken or len(taken) >= 10:
                        continue
                    taken.add(offer_id)
                    candidate_rows.append({
                        "need_id": need_id, "offer_id": offer_id, "rank": len(taken),
                        "score": round(float(2.0 - 0.15 * len(taken) + rng.random() * 0.1), 6),
                        "reasons": _reasons(rng, themes_of[need_id]),
                        "features": {"word_cosine": round(float(rng.random()), 4),
                                     "concept_cosine": round(float(rng.random()), 4),
                                     "theme_cosine": 0.5, "theme_coverage": 1.0,
                                     "modality_overlap": 0.0, "beneficiary_overlap": 0.5,
                                     "budget_fit": 1.0, "window_fit": 1.0, "genericity": 0.0},
                        "computed_at": now})
            conn.execute(sa.insert(RankedCandidate), candidate_rows)

            # Matches in every status on candidates, and rejections of others.
            match_rows, rejection_rows = [], []
            pairs = [(r["need_id"], r["offer_id"], r["score"], r["features"]) for r in candidate_rows]
            picked = rng.choice(len(pairs), size=min(1_500, len(pairs)), replace=False)
            statuses = ["proposed", "agreed", "in_delivery", "completed", "declined", "cancelled"]
            used_needs = set()
            for j, index in enumerate(picked):
                need_id, offer_id, score, features = pairs[int(index)]
                if j < 1_000:
                    if need_id in used_needs:
                        continue
                    used_needs.add(need_id)
                    status = statuses[j % len(statuses)]
                    accepted = status not in ("proposed", "declined")
                    match_rows.append({
                        "need_id": need_id, "offer_id": offer_id, "status": status, "score": score,
                        "features": features, "note": "Proposed by the benchmark seed.",
                        "proposed_by_id": coordinator_ids[j % len(coordinator_ids)],
                        "proposed_at": now - timedelta(hours=j),
                        "donor_decision": "accepted" if accepted else None,
                        "state_decision": "accepted" if accepted else None, "version": 1})
                else:
                    rejection_rows.append({
                        "need_id": need_id, "offer_id": offer_id, "reason": "off_topic",
                        "score": score, "features": features,
                        "rejected_by_id": coordinator_ids[j % len(coordinator_ids)], "rejected_at": now})
            for model, rows in ((Match, match_rows), (Rejection, _unique_pairs(rejection_rows))):
                if rows:
                    conn.execute(sa.insert(model), rows)

            # One creation event per need and offer, as the services would have written.
            events = [{"occurred_at": now, "actor_id": None, "action": f"{kind}.created",
                       "subject_type": kind, "subject_id": row_id, "before": None,
                       "after": {"seeded": True}, "note": None}
                      for kind, ids in (("need", need_ids.values()), ("offer", offer_ids.values()))
                      for row_id in ids]
            conn.execute(sa.insert(AuditEvent), events)
            conn.execute(sa.delete(FormSubmission))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return accounts


def _unique_pairs(rows: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for row in rows:
        key = (row["need_id"], row["offer_id"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _common(record: dict, created) -> dict:
    return {
        "ref": record["id"], "title": record["title"], "description": record["description"],
        "language": record["language"], "working_languages": record["working_languages"],
        "themes": record["themes"], "modalities": record["modalities"],
        "beneficiaries": record["beneficiaries"], "delivery": record["delivery"],
        "budget_usd": record["budget_usd"], "start": record.get("start"), "end": record.get("end"),
        "version": 1, "created_at": created, "updated_at": created,
    }


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    result = seed(sys.argv[1])
    print(f"seeded in {time.perf_counter() - started:.1f} s: {len(result.states)} States, "
          f"{len(result.donors)} donors, {len(result.coordinators)} coordinators")
