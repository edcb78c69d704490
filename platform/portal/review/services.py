"""Which needs wait for a coordinator, most pressing first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from matching import COUNTRY_REGION
from portal.extensions import db
from portal.lifecycle import ListFilters
from portal.needs.models import Need
from portal.records import OPEN_NEED_STATUSES

#: A need whose window opens within this many months is urgent.
URGENT_MONTHS = 3


@dataclass(frozen=True)
class QueueFilters:
    region: str | None = None
    theme: str | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        base = ListFilters.from_args(args)
        region = (args.get("region") or "").strip() or None
        return cls(region=region, theme=base.theme, status=base.status)

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in {"region": self.region, "theme": self.theme,
                                  "status": self.status}.items() if v}


def this_month(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def urgent_before(today: date | None = None) -> str:
    """The first month (YYYY-MM) that is no longer urgent."""
    today = today or date.today()
    month = today.month - 1 + URGENT_MONTHS
    return f"{today.year + month // 12:04d}-{month % 12 + 1:02d}"


def review_queue(filters: QueueFilters) -> sa.Select:
    """Ids of the needs awaiting review: urgent ones (their window opens soon) first, then the oldest.

    Urgency depends on today's date, so no index can hold this order: the
    database sorts every open need. It selects only the id, which it reads
    from the narrow ``ix_need_queue`` index without touching the table's wide
    rows (descriptions); :func:`needs_by_id` then loads the one page of needs.
    """
    cutoff, now = urgent_before(), this_month()
    still_open = sa.or_(Need.end.is_(None), Need.end >= now)
    urgent = sa.case((sa.and_(Need.start.is_not(None), Need.start < cutoff, still_open), 0), else_=1)
    stmt = sa.select(Need.id).where(Need.status.in_(OPEN_NEED_STATUSES))
    if filters.status in {s.value for s in OPEN_NEED_STATUSES}:
        stmt = stmt.where(Need.status == filters.status)
    if filters.region:
        countries = [c for c, region in COUNTRY_REGION.items() if region == filters.region]
        stmt = stmt.where(Need.country.in_(countries))
    if filters.theme:
        stmt = stmt.where(sa.cast(Need.themes, sa.Text).contains(f'"{filters.theme}"'))
    return stmt.order_by(urgent, Need.created_at, Need.id)


def needs_by_id(ids: list[int]) -> list[Need]:
    """These needs, in the order of ``ids`` (one query)."""
    found = {need.id: need for need in db.session.scalars(sa.select(Need).where(Need.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def window_passed(need: Need) -> bool:
    """The need's window is over: it should be updated or withdrawn, not matched."""
    return bool(need.end and need.end < this_month())


def is_urgent(need: Need) -> bool:
    """The window opens within a few months (or has opened) and is not over."""
    return bool(need.start and need.start < urgent_before()) and not window_passed(need)
