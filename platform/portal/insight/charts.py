"""Server-side charts: the geometry of bar charts and of a monthly trend line.

Pure layout, no Flask and no markup: ``templates/insight/_charts.html`` draws
the SVG from it (escaped like any template, role="img" with <title>/<desc>,
followed by its data table) and ``pdf.py`` draws the same geometry into the
PDF report. A value of ``None`` is a suppressed figure: no bar, and its text
says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: SVG user units; the SVG scales to its container.
WIDTH = 720
LABEL_WIDTH = 230
VALUE_GAP = 6
VALUE_ROOM = 90
BAR_HEIGHT = 14
BAR_GAP = 2
ROW_GAP = 10
TOP = 28
LINE_HEIGHT = 260
LINE_MARGIN = (20, 20, 40, 48)  # top, right, bottom, left


@dataclass(frozen=True)
class Series:
    key: str     # css class suffix: series-needs, series-offers, series-agreements
    name: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    value_text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    series: list[Series]
    rows: list[BarRow]
    height: float
    width: float = WIDTH
    label_x: float = LABEL_WIDTH - 8
    legend: list[tuple[Series, float]] = field(default_factory=list)


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (the loop always returns)


def bar_chart(chart_id: str, title: str, description: str, series: list[Series],
              categories: list[tuple[str, list[int | None]]], value_text) -> BarChart:
    """Horizontal grouped bars: one row per category, one bar per series.

    ``value_text(value)`` writes a value (a suppressed one included).
    """
    largest = max((v for _, values in categories for v in values if v), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / nice_max(largest)
    rows, y = [], TOP
    for label, values in categories:
        bars = []
        for index, (one, value) in enumerate(zip(series, values, strict=True)):
            top = y + index * (BAR_HEIGHT + BAR_GAP)
            length = (value or 0) * scale
            bars.append(Bar(x=LABEL_WIDTH, y=top, width=round(length, 1), height=BAR_HEIGHT,
                            series=one.key, value_text=value_text(value),
                            text_x=round(LABEL_WIDTH + length + VALUE_GAP, 1),
                            text_y=top + BAR_HEIGHT - 3))
        block = len(series) * (BAR_HEIGHT + BAR_GAP)
        rows.append(BarRow(label=label, label_y=y + block / 2 + 4, bars=bars))
        y += block + ROW_GAP
    legend = [(one, LABEL_WIDTH + index * 150) for index, one in enumerate(series)]
    return BarChart(chart_id, title, description, series, rows, height=y + 4, legend=legend)


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Line:
    series: str
    points: str                      # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, str]]  # x, y, value text (for <title> of each point)


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    series: list[Series]
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    width: float = WIDTH
    height: float = LINE_HEIGHT
    legend: list[tuple[Series, float]] = field(default_factory=list)


def line_chart(chart_id: str, title: str, description: str, series: list[Series],
               months: list[str], values: list[list[int | None]], month_label, number) -> LineChart:
    """Monthly trend lines; suppressed months are drawn at zero height but say so."""
    top, right, bottom, left = LINE_MARGIN
    plot = (left, top + 16, WIDTH - right, LINE_HEIGHT - bottom)
    largest = max((v for line in values for v in line if v), default=0)
    high = nice_max(largest)
    count = max(len(months), 1)
    step = (plot[2] - plot[0]) / max(count - 1, 1)

    def at(index: int, value: int | None) -> tuple[float, float]:
        x = plot[0] + (index * step if count > 1 else (plot[2] - plot[0]) / 2)
        y = plot[3] - (value or 0) / high * (plot[3] - plot[1])
        return round(x, 1), round(y, 1)

    lines = []
    for one, line in zip(series, values, strict=True):
        points = [at(i, v) for i, v in enumerate(line)]
        lines.append(Line(one.key, " ".join(f"{x},{y}" for x, y in points),
                          [(x, y, number(v)) for (x, y), v in zip(points, line, strict=True)]))
    every = max(1, math.ceil(count / 12))
    x_ticks = [Tick(at(i, 0)[0], month_label(m)) for i, m in enumerate(months) if i % every == 0]
    y_ticks = [Tick(at(0, high * k / 4)[1], number(high * k / 4 if high >= 4 else round(high * k / 4, 1)))
               for k in range(5)]
    legend = [(one, plot[0] + index * 170) for index, one in enumerate(series)]
    return LineChart(chart_id, title, description, series, lines, x_ticks, y_ticks, plot, legend=legend)
