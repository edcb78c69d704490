"""The dashboards' figures against hand-counted expectations on small fixtures
(on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import OrganisationKind, Role
from portal.insight import services
from portal.insight.services import Filters
from portal.matches.models import Match, MatchStatus, RankedCandidate, Rejection
from portal.needs import services as needs_services
from portal.records import Status
from tests.factories import need_fields

TODAY = date(2026, 6, 15)


@pytest.fixture
def states(make_user):
    """Focal points of a State in Africa (Kenya), Asia (India) and Europe (Albania)."""
    return {country: make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country=country)
            for country in ("KEN", "IND", "ALB")}


@pytest.fixture
def need_at(db, make_need, states):
    """A submitted need of a State, submitted at a given time."""
    def make(country: str, submitted: datetime, themes=("international_cooperation",), **fields):
        need = make_need(user=states[country], themes=list(themes), **fields)
        need.created_at = submitted
        db.session.commit()
        return need
    return make


def agree(db, need, offer, at: datetime, status=MatchStatus.AGREED) -> Match:
    """An agreement as the workflow leaves it (the workflow itself is tested in matches)."""
    match = Match(need_id=need.id, offer_id=offer.id, status=status, agreed_at=at, proposed_at=at)
    db.session.add(match)
    if status in services.AGREED_STATUSES:
        need.status = Status.MATCHED
    db.session.commit()
    return match


def keep_candidates(db, pairs) -> None:
    """Replace the engine's stored rankings by exactly these (need, offer) pairs."""
    db.session.execute(sa.delete(RankedCandidate))
    for rank, (need, offer) in enumerate(pairs, start=1):
        db.session.add(RankedCandidate(need_id=need.id, offer_id=offer.id, rank=rank, score=0.5,
                                       reasons=[], features={}))
    db.session.commit()


def test_needs_count_in_the_month_they_were_submitted(need_at, make_offer):
    need_at("KEN", datetime(2026, 1, 5))
    need_at("KEN", datetime(2026, 1, 31, 23, 59))
    need_at("IND", datetime(2026, 3, 1))
    need_at("IND", datetime(2026, 4, 1))  # after the period
    trend = services.trend(Filters(start="2026-01", end="2026-03"), today=TODAY)
    assert trend.months == ["2026-01", "2026-02", "2026-03"]
    assert trend.needs == [2, 0, 1]
    assert services.figures(Filters(start="2026-01", end="2026-03"), today=TODAY).needs_total == 3


def test_without_a_period_the_trend_runs_from_the_first_month_to_this_one(need_at):
    need_at("KEN", datetime(2026, 4, 20))
    trend = services.trend(Filters(), today=TODAY)
    assert trend.months == ["2026-04", "2026-05", "2026-06"]
    assert trend.needs == [1, 0, 0]


def test_a_period_outside_the_data_still_has_its_months(need_at):
    need_at("KEN", datetime(2026, 4, 20))
    assert services.trend(Filters(start="2027-02"), today=TODAY).months == ["2027-02"]
    assert services.trend(Filters(end="2025-11"), today=TODAY).months == ["2025-11"]


def test_a_draft_counts_from_its_submission_not_its_creation(db, states):
    draft = needs_services.create_need(need_fields(), states["KEN"], submit=False)
    db.session.commit()
    draft.created_at = datetime(2025, 1, 10)
    db.session.commit()
    assert services.figures(Filters(end="2025-12")).needs_total == 0  # a draft never counts
    needs_services.submit_need(draft, states["KEN"])
    db.session.commit()
    this_month = services.this_month()
    assert services.figures(Filters(start="2025-01", end="2025-12")).needs_total == 0
    assert services.figures(Filters(start=this_month, end=this_month)).needs_total == 1


def test_region_and_theme_filters(need_at):
    need_at("KEN", datetime(2026, 2, 1), themes=["child_protection", "victims"])
    need_at("KEN", datetime(2026, 2, 1), themes=["legislation"])
    need_at("IND", datetime(2026, 2, 1), themes=["child_protection"])
    assert services.figures(Filters(region="africa")).needs_total == 2
    assert services.figures(Filters(region="asia")).needs_total == 1
    assert services.figures(Filters(region="europe")).needs_total == 0
    assert services.figures(Filters(theme="child_protection")).needs_total == 2
    assert services.figures(Filters(region="africa", theme="child_protection")).needs_total == 1


def test_breakdowns_by_theme_region_and_status(need_at, db):
    need_at("KEN", datetime(2026, 2, 1), themes=["child_protection", "victims"])
    withdrawn = need_at("IND", datetime(2026, 2, 1), themes=["child_protection"])
    withdrawn.status = Status.WITHDRAWN
    db.session.commit()
    figures = services.figures(Filters())
    assert figures.by_theme.needs["child_protection"] == 2
    assert figures.by_theme.needs["victims"] == 1
    assert figures.by_theme.needs["legislation"] == 0
    assert figures.by_region.needs == {"africa": 1, "americas": 0, "asia": 1, "europe": 0,
                                       "oceania": 0, "none": 0}
    assert figures.by_status.needs["submitted"] == 1
    assert figures.by_status.needs["withdrawn"] == 1
    assert figures.by_modality.needs["mentoring"] == 2


def test_offers_serve_the_regions_they_list_or_all(make_offer):
    make_offer(regions=["africa"])
    make_offer(regions=[])
    make_offer(regions=["asia", "europe"])
    figures = services.figures(Filters())
    assert figures.by_region.offers["africa"] == 2
    assert figures.by_region.offers["asia"] == 2
    assert figures.by_region.offers["americas"] == 1
    assert services.figures(Filters(region="europe")).offers_total == 2


def test_coverage_counts_needs_with_a_candidate_not_rejected(db, need_at, make_offer, coordinator):
    first = need_at("KEN", datetime(2026, 2, 1))
    second = need_at("KEN", datetime(2026, 2, 1))
    need_at("IND", datetime(2026, 2, 1))  # no candidate
    rejected = need_at("IND", datetime(2026, 2, 1))
    matched = need_at("ALB", datetime(2026, 2, 1))
    offer = make_offer()
    keep_candidates(db, [(first, offer), (second, offer), (rejected, offer)])
    db.session.add(Rejection(need_id=rejected.id, offer_id=offer.id, reason="too_small"))
    agree(db, matched, offer, datetime(2026, 3, 1))
    coverage = services.coverage(Filters())
    assert (coverage.open_needs, coverage.open_with_viable_offer) == (4, 2)
    assert coverage.viable_share == pytest.approx(0.5)
    assert (coverage.needs, coverage.matched_needs) == (5, 1)
    assert coverage.matched_share == pytest.approx(0.2)
    unmet = services.figures(Filters())
    assert unmet.unmet_by_region == {"africa": 0, "americas": 0, "asia": 2, "europe": 0, "oceania": 0, "none": 0}


def test_median_days_from_submission_to_first_agreement(db, need_at, make_offer):
    offer = make_offer(capacity=10)
    start = datetime(2026, 1, 1)
    for days in (10, 40, 20):
        agree(db, need_at("KEN", start), offer, start + timedelta(days=days))
    assert services.median_days_to_agreement(Filters()) == (pytest.approx(20), 3)
    later = need_at("IND", start)
    agree(db, later, offer, start + timedelta(days=50))
    # A second agreement for the same need does not count again: its first one does.
    agree(db, later, make_offer(), start + timedelta(days=90), status=MatchStatus.IN_DELIVERY)
    assert services.median_days_to_agreement(Filters()) == (pytest.approx(30), 4)
    # A cancelled agreement is no agreement.
    agree(db, need_at("ALB", start), offer, start + timedelta(days=1), status=MatchStatus.CANCELLED)
    assert services.median_days_to_agreement(Filters()) == (pytest.approx(30), 4)
    # The period selects agreements by the month they were agreed.
    assert services.median_days_to_agreement(Filters(start="2026-02", end="2026-02")) == (pytest.approx(45), 2)
    assert services.median_days_to_agreement(Filters(region="asia")) == (pytest.approx(50), 1)
    assert services.median_days_to_agreement(Filters(region="oceania")) == (None, 0)


def test_agreements_count_in_the_month_agreed(db, need_at, make_offer):
    offer = make_offer(capacity=10)
    agree(db, need_at("KEN", datetime(2025, 12, 1)), offer, datetime(2026, 1, 2))
    agree(db, need_at("KEN", datetime(2026, 1, 1)), offer, datetime(2026, 2, 2))
    trend = services.trend(Filters(start="2026-01", end="2026-02"))
    assert trend.agreements == [1, 1]
    assert trend.needs == [1, 0]
    assert services.count_agreements(Filters(start="2026-02", end="2026-03")) == 1


def test_gaps_between_open_needs_and_matchable_offers(db, need_at, make_offer):
    need_at("KEN", datetime(2026, 2, 1), themes=["child_protection"])
    need_at("IND", datetime(2026, 2, 1), themes=["international_cooperation"])
    make_offer(themes=["international_cooperation"], regions=["asia"])
    make_offer(themes=["legislation"], regions=[])
    full = make_offer(themes=["victims"], regions=[])
    full.remaining_capacity = 0  # no engagement left: no supply
    db.session.commit()
    gaps = services.gaps(Filters())
    assert gaps.themes_without_supply() == ["child_protection"]
    assert gaps.themes_without_demand() == ["legislation"]
    assert gaps.regions_without_supply() == []  # the legislation offer serves every region
    assert ("child_protection", "africa") in gaps.cells_without_supply()
    assert ("international_cooperation", "asia") not in gaps.cells_without_supply()
    assert gaps.supply_cells[("international_cooperation", "africa")] == 0
    assert gaps.supply_cells[("legislation", "oceania")] == 1
    assert gaps.supply_by_theme["victims"] == 0
    in_asia = services.gaps(Filters(region="asia"))
    assert in_asia.regions_without_demand() == [] and set(in_asia.supply_by_region) == {"asia"}
    assert in_asia.themes_without_demand() == ["legislation"]


def test_lists_for_the_secretariat(db, need_at, make_offer):
    open_need = need_at("KEN", datetime(2026, 2, 1), title="Open need to list")
    agreed = need_at("IND", datetime(2026, 2, 1), title="Agreed need")
    offer = make_offer()
    keep_candidates(db, [(open_need, offer)])
    agree(db, agreed, offer, datetime(2026, 2, 11))
    unmet = services.unmet_needs(Filters())
    assert [(n.title, n.region, n.viable_offers) for n in unmet] == [("Open need to list", "africa", 1)]
    matches = services.agreed_matches(Filters())
    assert [(m.need_title, m.country, round(m.days)) for m in matches] == [("Agreed need", "IND", 10)]
    assert services.agreed_matches(Filters(start="2026-03")) == []


def test_filters_bound_the_period_inclusively():
    assert Filters(start="2026-01", end="2026-12").period_bounds() == (datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert Filters(end="2026-02").period_bounds() == (None, datetime(2026, 3, 1))


def test_figures_are_served_again_until_the_data_changes(app, need_at, make_offer):
    need_at("KEN", datetime(2026, 2, 1))
    first = services.figures(Filters())
    assert services.figures(Filters()) is first
    need_at("IND", datetime(2026, 2, 1))
    again = services.figures(Filters())
    assert again is not first and again.needs_total == 2
