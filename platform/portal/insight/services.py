"""The figures of the dashboards and of the report, counted by the database.

What is counted, and when (the pages say the same to their readers):

- **Needs and offers** count when they were *submitted* in the period: the
  first audit event that moved them to ``submitted``, or their creation for
  those created (or imported) already submitted. Drafts never count. Their
  status is the one they have today.
- **Agreements** count in the month their match was agreed (``Match.agreed_at``),
  if the match still stands (agreed, in delivery or completed).
- **Region**: a need's region is its State's UN M49 region
  (``matching.COUNTRY_REGION``); an offer serves the regions it lists, or
  every region when it lists none.
- **Viable offer**: a need has one when the engine's stored ranking holds at
  least one candidate that no coordinator rejected.

Every figure is one aggregate query (GROUP BY, or SUM(CASE ...) per code over
the JSON code lists), so the cost grows with the number of codes, not of records.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from matching import COUNTRY_REGION, MODALITIES, REGIONS, THEMES
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.insight.sql import days_between, has_code, year_month
from portal.matches.models import Match, MatchStatus, RankedCandidate, Rejection
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import MATCHABLE_OFFER_STATUSES, OPEN_NEED_STATUSES, Status

#: Matches that stand as agreed help.
AGREED_STATUSES = (MatchStatus.AGREED, MatchStatus.IN_DELIVERY, MatchStatus.COMPLETED)
#: Needs that got help.
MATCHED_NEED_STATUSES = (Status.MATCHED, Status.IN_DELIVERY, Status.COMPLETED)
#: The region of a State the code lists leave without one (e.g. Antarctica).
NO_REGION = "none"
#: Trends longer than this many months are cut to their last months.
MAX_TREND_MONTHS = 120
#: The report lists at most this many needs or matches (its counts cover all).
LIST_LIMIT = 300

STATUS_ORDER = [s.value for s in Status if s != Status.DRAFT]
REGION_ORDER = [*REGIONS, NO_REGION]


@dataclass(frozen=True)
class Filters:
    """Period (months, inclusive), region and theme; None means no limit."""

    start: str | None = None
    end: str | None = None
    region: str | None = None
    theme: str | None = None

    def as_args(self) -> dict[str, str]:
        pairs = {"from": self.start, "to": self.end, "region": self.region, "theme": self.theme}
        return {name: value for name, value in pairs.items() if value}

    def period_bounds(self) -> tuple[datetime | None, datetime | None]:
        """[first instant, first instant after) of the period."""
        low = datetime(int(self.start[:4]), int(self.start[5:7]), 1) if self.start else None
        high = None
        if self.end:
            year, month = int(self.end[:4]), int(self.end[5:7])
            high = datetime(year + month // 12, month % 12 + 1, 1)
        return low, high


def _in_period(column, filters: Filters):
    low, high = filters.period_bounds()
    conditions = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column < high)
    return sa.and_(sa.true(), *conditions)


def region_countries(region: str) -> list[str]:
    return [country for country, where in COUNTRY_REGION.items() if (where or NO_REGION) == region]


def region_of(country: str | None) -> str:
    return COUNTRY_REGION.get(country or "") or NO_REGION


# -- the records in scope --------------------------------------------------------

def _first_submitted(kind: str):
    """When each record of this kind first moved to ``submitted`` (audit trail)."""
    return (
        sa.select(AuditEvent.subject_id.label("record_id"),
                  sa.func.min(AuditEvent.occurred_at).label("at"))
        .where(AuditEvent.subject_type == kind, AuditEvent.action == f"{kind}.status_changed",
               AuditEvent.after["status"].as_string() == Status.SUBMITTED.value)
        .group_by(AuditEvent.subject_id)
        .subquery(f"{kind}_first_submitted")
    )


def need_rows(filters: Filters, *, period: bool = True):
    """The submitted needs in scope, one row each: id, country, status, code lists, submitted_at."""
    first = _first_submitted("need")
    submitted_at = sa.func.coalesce(first.c.at, Need.created_at)
    stmt = (
        sa.select(Need.id, Need.country, Need.status, Need.confidentiality,
                  sa.cast(Need.themes, sa.Text).label("themes"),
                  sa.cast(Need.modalities, sa.Text).label("modalities"),
                  submitted_at.label("submitted_at"))
        .outerjoin(first, first.c.record_id == Need.id)
        .where(Need.status != Status.DRAFT)
    )
    if period:
        stmt = stmt.where(_in_period(submitted_at, filters))
    if filters.region:
        stmt = stmt.where(Need.country.in_(region_countries(filters.region)))
    if filters.theme:
        stmt = stmt.where(has_code(Need.themes, filters.theme))
    return stmt.subquery("scoped_need")


def offer_rows(filters: Filters):
    """The submitted offers in scope: those serving the region, with the theme."""
    first = _first_submitted("offer")
    submitted_at = sa.func.coalesce(first.c.at, Offer.created_at)
    regions = sa.cast(Offer.regions, sa.Text)
    stmt = (
        sa.select(Offer.id, Offer.status, Offer.remaining_capacity,
                  sa.cast(Offer.themes, sa.Text).label("themes"),
                  sa.cast(Offer.modalities, sa.Text).label("modalities"),
                  regions.label("regions"), submitted_at.label("submitted_at"))
        .outerjoin(first, first.c.record_id == Offer.id)
        .where(Offer.status != Status.DRAFT)
        .where(_in_period(submitted_at, filters))
    )
    if filters.region:
        stmt = stmt.where(sa.or_(regions == "[]", has_code(Offer.regions, filters.region)))
    if filters.theme:
        stmt = stmt.where(has_code(Offer.themes, filters.theme))
    return stmt.subquery("scoped_offer")


def _is_open(rows):
    return rows.c.status.in_([s.value for s in OPEN_NEED_STATUSES])


def _is_matchable(rows):
    return sa.and_(rows.c.status.in_([s.value for s in MATCHABLE_OFFER_STATUSES]),
                   rows.c.remaining_capacity > 0)


def _has_viable_offer(need_id_column):
    rejected = sa.select(Rejection.id).where(Rejection.need_id == RankedCandidate.need_id,
                                             Rejection.offer_id == RankedCandidate.offer_id)
    return sa.exists().where(RankedCandidate.need_id == need_id_column, ~sa.exists(rejected))


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _per_code(rows, column: str, codes, where=None) -> dict[str, int]:
    """How many rows hold each code in a JSON code list: one pass, one SUM per code."""
    codes = list(codes)
    stmt = sa.select(*[_count_if(has_code(rows.c[column], code)) for code in codes])
    if where is not None:
        stmt = stmt.where(where)
    values = db.session.execute(stmt).one()
    return dict(zip(codes, (int(v) for v in values), strict=True))


def _per_region(rows, where=None) -> dict[str, int]:
    """Needs per region: grouped by State in the database, folded into regions here."""
    stmt = sa.select(rows.c.country, sa.func.count()).group_by(rows.c.country)
    if where is not None:
        stmt = stmt.where(where)
    counts: Counter = Counter({region: 0 for region in REGION_ORDER})
    for country, number in db.session.execute(stmt):
        counts[region_of(country)] += number
    return dict(counts)


def _offers_per_region(rows, where=None) -> dict[str, int]:
    """Offers serving each region (an offer listing no region serves all)."""
    stmt = sa.select(rows.c.regions, sa.func.count()).group_by(rows.c.regions)
    if where is not None:
        stmt = stmt.where(where)
    counts = dict.fromkeys(REGION_ORDER, 0)
    for regions, number in db.session.execute(stmt):
        for region in REGIONS:
            if regions in (None, "[]") or f'"{region}"' in regions:
                counts[region] += number
    return counts


def _per_status(rows) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for status, number in db.session.execute(
            sa.select(rows.c.status, sa.func.count()).group_by(rows.c.status)):
        counts[Status(status).value] = number
    return counts


# -- the figures -----------------------------------------------------------------

@dataclass
class Breakdown:
    """Needs and offers counted along one dimension (codes in display order)."""

    dimension: str
    needs: dict[str, int]
    offers: dict[str, int]


@dataclass
class Coverage:
    open_needs: int
    open_with_viable_offer: int
    needs: int          # submitted in scope, withdrawn ones left out
    matched_needs: int  # of those, matched, in delivery or completed

    @property
    def viable_share(self) -> float | None:
        return self.open_with_viable_offer / self.open_needs if self.open_needs else None

    @property
    def matched_share(self) -> float | None:
        return self.matched_needs / self.needs if self.needs else None


@dataclass
class Gaps:
    """Open needs against offers that can still take them, by theme, region and both."""

    demand_by_theme: dict[str, int]
    supply_by_theme: dict[str, int]
    demand_by_region: dict[str, int]
    supply_by_region: dict[str, int]
    demand_cells: dict[tuple[str, str], int]   # (theme, region) -> open needs
    supply_cells: dict[tuple[str, str], int]   # (theme, region) -> matchable offers

    def themes_without_supply(self) -> list[str]:
        return [t for t, n in self.demand_by_theme.items() if n and not self.supply_by_theme[t]]

    def themes_without_demand(self) -> list[str]:
        return [t for t, n in self.supply_by_theme.items() if n and not self.demand_by_theme[t]]

    def regions_without_supply(self) -> list[str]:
        return [r for r, n in self.demand_by_region.items() if n and not self.supply_by_region.get(r)]

    def regions_without_demand(self) -> list[str]:
        return [r for r, n in self.supply_by_region.items() if n and not self.demand_by_region.get(r)]

    def cells_without_supply(self) -> list[tuple[str, str]]:
        """(theme, region) pairs where States wait and no offer can serve them."""
        return [cell for cell, n in self.demand_cells.items() if n and not self.supply_cells.get(cell)]


@dataclass
class Trend:
    months: list[str]
    needs: list[int]
    offers: list[int]
    agreements: list[int]


@dataclass
class Figures:
    filters: Filters
    needs_total: int
    offers_total: int
    agreements: int
    by_theme: Breakdown
    by_region: Breakdown
    by_modality: Breakdown
    by_status: Breakdown
    coverage: Coverage
    median_days_to_agreement: float | None
    agreements_timed: int
    gaps: Gaps
    trend: Trend
    unmet_by_theme: dict[str, int] = field(default_factory=dict)   # open needs with no viable offer
    unmet_by_region: dict[str, int] = field(default_factory=dict)


def coverage(filters: Filters) -> Coverage:
    rows = need_rows(filters)
    is_open = _is_open(rows)
    open_needs, viable, needs, matched = db.session.execute(sa.select(
        _count_if(is_open),
        _count_if(sa.and_(is_open, _has_viable_offer(rows.c.id))),
        _count_if(rows.c.status != Status.WITHDRAWN.value),
        _count_if(rows.c.status.in_([s.value for s in MATCHED_NEED_STATUSES])),
    )).one()
    return Coverage(int(open_needs), int(viable), int(needs), int(matched))


def _first_agreements(filters: Filters):
    """Each need's first standing agreement, joined to the need rows (region and
    theme apply; the period applies to the agreement, not the submission)."""
    rows = need_rows(filters, period=False)
    first = (sa.select(Match.need_id, sa.func.min(Match.agreed_at).label("agreed_at"))
             .where(Match.status.in_(AGREED_STATUSES), Match.agreed_at.is_not(None))
             .group_by(Match.need_id).subquery("first_agreement"))
    return rows, first


def median_days_to_agreement(filters: Filters) -> tuple[float | None, int]:
    """Median days from a need's submission to its first agreed match, over the needs
    whose first agreement falls in the period; and how many there are.

    The median is read by the database (ORDER BY ... OFFSET the middle), which
    SQLite and PostgreSQL both do, instead of loading every duration.
    """
    rows, first = _first_agreements(filters)
    days = days_between(rows.c.submitted_at, first.c.agreed_at).label("days")
    base = (sa.select(days).select_from(rows.join(first, first.c.need_id == rows.c.id))
            .where(_in_period(first.c.agreed_at, filters)))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    if not count:
        return None, 0
    middle = list(db.session.scalars(
        base.order_by(days).offset((count - 1) // 2).limit(1 if count % 2 else 2)))
    return max(0.0, sum(middle) / len(middle)), count


def count_agreements(filters: Filters) -> int:
    rows = need_rows(filters, period=False)
    return db.session.scalar(
        sa.select(sa.func.count(Match.id)).join(rows, rows.c.id == Match.need_id)
        .where(Match.status.in_(AGREED_STATUSES), _in_period(Match.agreed_at, filters)))


def gaps(filters: Filters) -> Gaps:
    needs, offers = need_rows(filters), offer_rows(filters)
    open_needs, matchable = _is_open(needs), _is_matchable(offers)
    theme_codes = list(THEMES)
    demand_cells: dict[tuple[str, str], int] = {(t, r): 0 for t in theme_codes for r in REGION_ORDER}
    per_country = (sa.select(needs.c.country, *[_count_if(has_code(needs.c.themes, t)) for t in theme_codes])
                   .where(open_needs).group_by(needs.c.country))
    for country, *counts in db.session.execute(per_country):
        for theme, number in zip(theme_codes, counts, strict=True):
            demand_cells[(theme, region_of(country))] += int(number)
    supply_cells: dict[tuple[str, str], int] = {(t, r): 0 for t in theme_codes for r in REGION_ORDER}
    per_regions = (sa.select(offers.c.regions, *[_count_if(has_code(offers.c.themes, t)) for t in theme_codes])
                   .where(matchable).group_by(offers.c.regions))
    for regions, *counts in db.session.execute(per_regions):
        for region in REGIONS:
            if regions in (None, "[]") or f'"{region}"' in regions:
                for theme, number in zip(theme_codes, counts, strict=True):
                    supply_cells[(theme, region)] += int(number)
    demand_by_region = _per_region(needs, open_needs)
    supply_by_region = _offers_per_region(offers, matchable)
    if filters.region:
        # Offers open to every region are in scope, but only this region is asked about.
        def keep(counts: dict) -> dict:
            return {key: value for key, value in counts.items()
                    if (key[1] if isinstance(key, tuple) else key) == filters.region}

        demand_by_region, supply_by_region = keep(demand_by_region), keep(supply_by_region)
        demand_cells, supply_cells = keep(demand_cells), keep(supply_cells)
    return Gaps(
        demand_by_theme=_per_code(needs, "themes", theme_codes, open_needs),
        supply_by_theme=_per_code(offers, "themes", theme_codes, matchable),
        demand_by_region=demand_by_region, supply_by_region=supply_by_region,
        demand_cells=demand_cells, supply_cells=supply_cells,
    )


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_TREND_MONTHS:]


def this_month(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def trend(filters: Filters, *, today: date | None = None) -> Trend:
    """Needs and offers submitted, and agreements reached, month by month."""
    needs, offers = need_rows(filters), offer_rows(filters)
    rows, first = _first_agreements(filters)

    def per_month(stmt) -> dict[str, int]:
        return {month: int(number) for month, number in db.session.execute(stmt) if month}

    need_month = year_month(needs.c.submitted_at)
    offer_month = year_month(offers.c.submitted_at)
    agreed_month = year_month(Match.agreed_at)
    by_needs = per_month(sa.select(need_month, sa.func.count()).group_by(need_month))
    by_offers = per_month(sa.select(offer_month, sa.func.count()).group_by(offer_month))
    by_agreements = per_month(
        sa.select(agreed_month, sa.func.count(Match.id)).join(rows, rows.c.id == Match.need_id)
        .where(Match.status.in_(AGREED_STATUSES), _in_period(Match.agreed_at, filters))
        .group_by(agreed_month))
    seen = sorted({*by_needs, *by_offers, *by_agreements})
    last = filters.end or max([this_month(today), *seen, filters.start or ""])
    # A period that starts after the data, or ends before it, still has its months.
    first_month = filters.start or min(seen[0] if seen else last, last)
    months = _month_range(first_month, last)
    return Trend(months, [by_needs.get(m, 0) for m in months], [by_offers.get(m, 0) for m in months],
                 [by_agreements.get(m, 0) for m in months])


def data_fingerprint() -> tuple:
    """Changes whenever a figure can: one cheap query instead of some twenty.

    Every step of the workflow writes an audit event; edits of needs and
    offers move their ``updated_at``; rankings insert new candidate rows;
    any change of a match moves its version.
    """
    def summary(*columns):
        return sa.select(*columns).scalar_subquery()

    return tuple(db.session.execute(sa.select(
        summary(sa.func.max(AuditEvent.id)),
        summary(sa.func.count(Need.id)), summary(sa.func.max(Need.updated_at)),
        summary(sa.func.count(Offer.id)), summary(sa.func.max(Offer.updated_at)),
        summary(sa.func.count(RankedCandidate.id)), summary(sa.func.max(RankedCandidate.id)),
        summary(sa.func.count(Match.id)), summary(sa.func.sum(Match.version)),
        summary(sa.func.count(Rejection.id)),
    )).one())


#: Figures kept per process, keyed by filters, day and data fingerprint.
_CACHE_SIZE = 64


def figures(filters: Filters, *, today: date | None = None) -> Figures:
    """Everything the dashboards and the report show, for these filters.

    Dashboards are read far more often than the data changes: the figures are
    kept per application and served again while the data fingerprint and the
    day are the same.
    """
    cache, lock = current_app.extensions.setdefault("insight_figures", (OrderedDict(), threading.Lock()))
    key = (filters, today or date.today(), data_fingerprint())
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    result = _compute_figures(filters, today=today)
    with lock:
        cache[key] = result
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return result


def _compute_figures(filters: Filters, *, today: date | None = None) -> Figures:
    needs, offers = need_rows(filters), offer_rows(filters)
    median, timed = median_days_to_agreement(filters)
    unmet = sa.and_(_is_open(needs), ~_has_viable_offer(needs.c.id))
    return Figures(
        filters=filters,
        needs_total=db.session.scalar(sa.select(sa.func.count()).select_from(needs)),
        offers_total=db.session.scalar(sa.select(sa.func.count()).select_from(offers)),
        agreements=count_agreements(filters),
        by_theme=Breakdown("theme", _per_code(needs, "themes", THEMES), _per_code(offers, "themes", THEMES)),
        by_region=Breakdown("region", _per_region(needs), _offers_per_region(offers)),
        by_modality=Breakdown("modality", _per_code(needs, "modalities", MODALITIES),
                              _per_code(offers, "modalities", MODALITIES)),
        by_status=Breakdown("status", _per_status(needs), _per_status(offers)),
        coverage=coverage(filters),
        median_days_to_agreement=median,
        agreements_timed=timed,
        gaps=gaps(filters),
        trend=trend(filters, today=today),
        unmet_by_theme=_per_code(needs, "themes", THEMES, unmet),
        unmet_by_region=_per_region(needs, unmet),
    )


# -- lists, for the secretariat only -----------------------------------------------

@dataclass(frozen=True)
class UnmetNeed:
    id: int
    ref: str
    title: str
    language: str
    country: str
    region: str
    themes: list[str]
    submitted_at: datetime
    viable_offers: int


@dataclass(frozen=True)
class AgreedMatch:
    id: int
    need_title: str
    need_language: str
    country: str
    offer_title: str
    offer_language: str
    provider: str
    status: str
    agreed_at: datetime
    days: float


def unmet_needs(filters: Filters, *, limit: int = LIST_LIMIT) -> list[UnmetNeed]:
    """Open needs in scope, by region then oldest first, with their viable offers.

    Names the States and titles: for the secretariat's pages only.
    """
    rows = need_rows(filters)
    rejected = sa.select(Rejection.id).where(Rejection.need_id == RankedCandidate.need_id,
                                             Rejection.offer_id == RankedCandidate.offer_id)
    viable = (sa.select(sa.func.count(RankedCandidate.id))
              .where(RankedCandidate.need_id == rows.c.id, ~sa.exists(rejected))
              .scalar_subquery())
    stmt = (sa.select(Need.id, Need.ref, Need.title, Need.language, Need.country, Need.themes,
                      rows.c.submitted_at, viable.label("viable"))
            .join(rows, rows.c.id == Need.id).where(_is_open(rows))
            .order_by(Need.country, rows.c.submitted_at, Need.id))
    found = [UnmetNeed(id=i, ref=ref, title=title, language=language, country=country,
                       region=region_of(country), themes=list(themes or []), submitted_at=at,
                       viable_offers=int(n))
             for i, ref, title, language, country, themes, at, n in db.session.execute(stmt)]
    found.sort(key=lambda need: (REGION_ORDER.index(need.region), need.viable_offers, need.submitted_at))
    return found[:limit]


def agreed_matches(filters: Filters, *, limit: int = LIST_LIMIT) -> list[AgreedMatch]:
    """Matches agreed in the period (still standing), newest first. Secretariat only."""
    rows = need_rows(filters, period=False)
    days = days_between(rows.c.submitted_at, Match.agreed_at)
    stmt = (sa.select(Match.id, Need.title, Need.language, Need.country, Offer.title, Offer.language,
                      Offer.provider, Match.status, Match.agreed_at, days)
            .join(Need, Need.id == Match.need_id).join(Offer, Offer.id == Match.offer_id)
            .join(rows, rows.c.id == Match.need_id)
            .where(Match.status.in_(AGREED_STATUSES), _in_period(Match.agreed_at, filters))
            .order_by(Match.agreed_at.desc(), Match.id.desc()).limit(limit))
    return [AgreedMatch(id=i, need_title=nt, need_language=nl, country=c, offer_title=ot,
                        offer_language=ol, provider=p, status=MatchStatus(s).value, agreed_at=at,
                        days=max(0.0, float(d or 0)))
            for i, nt, nl, c, ot, ol, p, s, at, d in db.session.execute(stmt)]
