"""The dashboards' figures at scale: 10,000 needs, 10,000 offers, 50,000 stored
candidates, 2,000 agreements and the audit trail of every submission.

Run on demand: ``pytest tests/benchmarks/test_insight_speed.py -m benchmark -s``
(on PostgreSQL too with TEST_DATABASE_URL).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from matching import COUNTRY_REGION, MODALITIES, THEMES
from portal.audit.models import AuditEvent
from portal.auth.models import Organisation, OrganisationKind
from portal.insight import presentation, services
from portal.matches.models import Match, MatchStatus, RankedCandidate
from portal.needs.models import Need
from portal.offers.models import Offer

N_NEEDS, N_OFFERS, N_CANDIDATES, N_MATCHES = 10_000, 10_000, 50_000, 2_000
#: Seconds for every figure of one dashboard, on the shared 2-core machine.
BUDGET = 10.0


def _fill(db) -> None:
    rng = random.Random(7)
    themes, modalities = list(THEMES), list(MODALITIES)
    countries = [c for c, region in COUNTRY_REGION.items() if region]
    state = Organisation(name="States", kind=OrganisationKind.REQUESTING_STATE, country="KEN")
    donor = Organisation(name="Donors", kind=OrganisationKind.DONOR_STATE)
    db.session.add_all([state, donor])
    db.session.flush()
    start = datetime(2025, 1, 1)

    def common(i: int, prefix: str) -> dict:
        return {"ref": f"{prefix}{i}", "title": f"{prefix} {i}", "description": "x", "language": "en",
                "working_languages": ["en"], "themes": rng.sample(themes, 2),
                "modalities": rng.sample(modalities, 2), "beneficiaries": [], "delivery": [],
                "created_at": start + timedelta(days=rng.randrange(600)),
                "updated_at": start, "version": 1}

    db.session.execute(sa.insert(Need), [
        dict(common(i, "N"), organisation_id=state.id, country=rng.choice(countries),
             status=rng.choice(["submitted", "under_review", "matched", "withdrawn"]),
             confidentiality="restricted") for i in range(N_NEEDS)])
    db.session.execute(sa.insert(Offer), [
        dict(common(i, "O"), organisation_id=donor.id, provider="P", capacity=3, remaining_capacity=rng.randrange(3),
             regions=rng.choice([[], ["africa"], ["asia", "europe"]]), eligible_countries=[],
             excluded_countries=[], status="submitted") for i in range(N_OFFERS)])
    need_ids = db.session.scalars(sa.select(Need.id)).all()
    offer_ids = db.session.scalars(sa.select(Offer.id)).all()
    db.session.execute(sa.insert(AuditEvent), [
        {"action": "need.status_changed", "subject_type": "need", "subject_id": i,
         "after": {"status": "submitted"}, "occurred_at": start + timedelta(days=rng.randrange(600))}
        for i in need_ids[: N_NEEDS // 2]])
    pairs = {(rng.choice(need_ids), rng.choice(offer_ids)) for _ in range(N_CANDIDATES * 2)}
    db.session.execute(sa.insert(RankedCandidate), [
        {"need_id": n, "offer_id": o, "rank": 1, "score": 0.5, "reasons": [], "features": {}}
        for n, o in list(pairs)[:N_CANDIDATES]])
    db.session.execute(sa.insert(Match), [
        {"need_id": need_ids[i], "offer_id": offer_ids[i], "status": MatchStatus.AGREED.value,
         "proposed_at": start, "agreed_at": start + timedelta(days=300 + rng.randrange(300)), "version": 1}
        for i in range(N_MATCHES)])
    db.session.commit()


@pytest.mark.benchmark
def test_every_figure_of_a_dashboard_in_seconds(app, db):
    _fill(db)
    timings = {}
    for name, filters in (("all", services.Filters()),
                          ("region", services.Filters(region="africa")),
                          ("region+theme+period", services.Filters(start="2025-03", end="2026-02",
                                                                   region="asia", theme="legislation"))):
        began = time.perf_counter()
        figures = services.figures(filters)
        with app.test_request_context():  # labels in the reader's language
            presentation.build(figures, public=True)
        services.unmet_needs(filters)
        services.agreed_matches(filters)
        timings[name] = time.perf_counter() - began
    print(f"\ninsight figures at {N_NEEDS} needs / {N_OFFERS} offers / {N_CANDIDATES} candidates "
          f"({db.engine.dialect.name}): " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    assert figures.needs_total > 0
    assert max(timings.values()) < BUDGET
