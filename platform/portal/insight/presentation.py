"""From figures to what a page shows: labels, small-cell suppression, charts.

The public dashboard shows aggregates only, and no figure that counts one or
two needs: such a figure could point at one State's request, hence at where
that State is weak. It reads "fewer than 3". When a breakdown that adds up to
a published total hides exactly one figure, the next smallest is hidden too,
so the hidden one cannot be worked out by subtraction. Offers are not
confidential and are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from portal import choices
from portal.insight import charts
from portal.insight.services import NO_REGION, Figures
from portal.records import STATUS_LABELS, Status

#: Figures counting fewer needs than this are not published.
SMALL_CELL = 3


def suppress(counts: dict, *, partition: bool = False) -> dict:
    """Replace counts of 1 or 2 by None; in a partition, never hide just one."""
    shown = {key: (None if 0 < value < SMALL_CELL else value) for key, value in counts.items()}
    if partition and sum(value is None for value in shown.values()) == 1:
        visible = sorted((value, str(key)) for key, value in shown.items() if value)
        if visible:
            smallest = next(key for key, value in shown.items() if value and str(key) == visible[0][1])
            shown[smallest] = None
    return shown


def suppress_one(value: int) -> int | None:
    return None if 0 < value < SMALL_CELL else value


def number(value) -> str:
    if value is None:
        return _("fewer than 3")
    return format_decimal(value)


def short_number(value) -> str:
    """For the chart bars, where space is short; the data table spells it out."""
    return "<3" if value is None else format_decimal(value)


def percent(share: float | None) -> str:
    return "—" if share is None else format_percent(share, "#,##0 %")


def days(value: float | None) -> str:
    return "—" if value is None else _("%(days)s days", days=format_decimal(round(value, 1)))


def label(dimension: str, code: str) -> str:
    if dimension == "status":
        return str(STATUS_LABELS.get(Status(code), code))
    if dimension == "region" and code == NO_REGION:
        return _("No region")
    return choices.code_label(dimension, code)


@dataclass
class Row:
    code: str
    label: str
    needs: int | None
    offers: int | None


@dataclass
class Table:
    """A breakdown as the data table under its chart shows it."""

    id: str
    caption: str
    rows: list[Row]
    chart: charts.BarChart


@dataclass
class Kpi:
    label: str
    value: str
    note: str = ""


@dataclass
class Gap:
    label: str
    count: str


@dataclass
class Page:
    public: bool
    kpis: list[Kpi]
    tables: list[Table]
    trend: charts.LineChart
    trend_rows: list[tuple[str, str, str, str]]
    gaps: dict[str, list[Gap]]
    unmet: dict[str, list[Row]] = field(default_factory=dict)


def _series() -> list[charts.Series]:
    return [charts.Series("needs", _("Needs")), charts.Series("offers", _("Offers"))]


def _describe(caption: str, rows: list[Row]) -> str:
    """What a screen reader hears instead of the bars: the largest of each series."""
    parts = [caption + "."]
    for attribute, name in (("needs", _("needs")), ("offers", _("offers"))):
        ranked = sorted((r for r in rows if getattr(r, attribute)), key=lambda r: -getattr(r, attribute))
        if ranked:
            top = ranked[0]
            parts.append(_("Most %(what)s: %(label)s (%(count)s).", what=name, label=top.label,
                           count=number(getattr(top, attribute))))
        else:
            parts.append(_("No %(what)s.", what=name))
    parts.append(_("The data table follows the chart."))
    return " ".join(parts)


def _table(table_id: str, caption: str, dimension: str, needs: dict, offers: dict, *,
           public: bool, partition: bool, skip_empty: bool = False) -> Table:
    shown = suppress(needs, partition=partition) if public else needs
    rows = [Row(code, label(dimension, code), shown[code], offers.get(code, 0)) for code in needs]
    if skip_empty:
        rows = [row for row in rows if row.needs != 0 or row.offers]
    chart = charts.bar_chart(
        f"chart-{table_id}", caption, _describe(caption, rows), _series(),
        [(row.label, [row.needs, row.offers]) for row in rows], short_number)
    return Table(table_id, caption, rows, chart)


def build(figures: Figures, *, public: bool) -> Page:
    """Everything a dashboard or the report shows, suppressed for the public."""
    hide = suppress_one if public else (lambda value: value)
    coverage = figures.coverage
    enough = not public or coverage.open_needs >= SMALL_CELL
    enough_total = not public or coverage.needs >= SMALL_CELL
    # None agreed: nothing to hide, say so ("—"); one or two: their times would be theirs.
    median_shown = not public or figures.agreements_timed == 0 or figures.agreements_timed >= SMALL_CELL
    kpis = [
        Kpi(_("Needs submitted"), number(hide(figures.needs_total))),
        Kpi(_("Offers submitted"), number(figures.offers_total)),
        Kpi(_("Open needs with at least one viable offer"),
            percent(coverage.viable_share) if enough else number(None),
            _("%(viable)s of %(open)s open needs", viable=number(hide(coverage.open_with_viable_offer)),
              open=number(hide(coverage.open_needs)))),
        Kpi(_("Needs matched"), percent(coverage.matched_share) if enough_total else number(None),
            _("%(matched)s of %(total)s needs not withdrawn", matched=number(hide(coverage.matched_needs)),
              total=number(hide(coverage.needs)))),
        Kpi(_("Median time from submission to agreed match"),
            days(figures.median_days_to_agreement) if median_shown else number(None),
            _("over %(count)s needs whose first match was agreed in the period",
              count=number(hide(figures.agreements_timed)))),
        Kpi(_("Matches agreed"), number(hide(figures.agreements))),
    ]
    tables = [
        _table("theme", _("Needs and offers by theme"), "theme", figures.by_theme.needs,
               figures.by_theme.offers, public=public, partition=False, skip_empty=True),
        _table("region", _("Needs and offers by region"), "region", figures.by_region.needs,
               figures.by_region.offers, public=public, partition=True, skip_empty=True),
        _table("modality", _("Needs and offers by kind of help"), "modality", figures.by_modality.needs,
               figures.by_modality.offers, public=public, partition=False, skip_empty=True),
        _table("status", _("Needs and offers by status"), "status", figures.by_status.needs,
               figures.by_status.offers, public=public, partition=True),
    ]
    trend = figures.trend
    needs_by_month = list(suppress(dict(enumerate(trend.needs)), partition=True).values()) if public else trend.needs
    agreed_by_month = (list(suppress(dict(enumerate(trend.agreements)), partition=True).values())
                       if public else trend.agreements)
    series = [charts.Series("needs", _("Needs submitted")), charts.Series("offers", _("Offers submitted")),
              charts.Series("agreements", _("Matches agreed"))]
    trend_title = _("Month by month")
    trend_chart = charts.line_chart(
        "chart-trend", trend_title,
        _("%(title)s, from %(first)s to %(last)s: needs submitted, offers submitted and matches "
          "agreed each month. The data table follows the chart.",
          title=trend_title, first=trend.months[0], last=trend.months[-1]),
        series, trend.months, [needs_by_month, trend.offers, agreed_by_month], lambda m: m, short_number)
    trend_rows = [(month, number(n), number(o), number(a))
                  for month, n, o, a in zip(trend.months, needs_by_month, trend.offers, agreed_by_month, strict=True)]
    return Page(public=public, kpis=kpis, tables=tables, trend=trend_chart, trend_rows=trend_rows,
                gaps=_gaps(figures, hide), unmet=_unmet(figures, public))


def _gaps(figures: Figures, hide) -> dict[str, list[Gap]]:
    gaps = figures.gaps
    return {
        "themes_without_supply": [Gap(label("theme", t), number(hide(gaps.demand_by_theme[t])))
                                  for t in gaps.themes_without_supply()],
        "themes_without_demand": [Gap(label("theme", t), number(gaps.supply_by_theme[t]))
                                  for t in gaps.themes_without_demand()],
        "regions_without_supply": [Gap(label("region", r), number(hide(gaps.demand_by_region[r])))
                                   for r in gaps.regions_without_supply()],
        "regions_without_demand": [Gap(label("region", r), number(gaps.supply_by_region[r]))
                                   for r in gaps.regions_without_demand()],
        "cells_without_supply": [Gap(f"{label('theme', t)} · {label('region', r)}",
                                     number(hide(gaps.demand_cells[(t, r)])))
                                 for t, r in gaps.cells_without_supply()],
    }


def _unmet(figures: Figures, public: bool) -> dict[str, list[Row]]:
    """Open needs with no viable offer, by region and by theme (in the needs column)."""
    by_region = suppress(figures.unmet_by_region, partition=True) if public else figures.unmet_by_region
    by_theme = suppress(figures.unmet_by_theme) if public else figures.unmet_by_theme
    return {
        "region": [Row(code, label("region", code), value, None) for code, value in by_region.items() if value != 0],
        "theme": [Row(code, label("theme", code), value, None) for code, value in by_theme.items() if value != 0],
    }
