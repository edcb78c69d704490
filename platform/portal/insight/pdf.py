"""The report as a PDF, drawn with fpdf2 (pure Python: no system library needed).

Fonts ship with the package (``fonts/``, with their licences), so the PDF
reads the same on any machine:

- DejaVu Sans (regular and bold): Latin, Greek, Cyrillic and Arabic, i.e.
  English, French, Spanish, Russian, Arabic and Portuguese titles and labels;
- Droid Sans Fallback: Chinese (and Japanese and Korean), loaded only when the
  report has such text, since it is large (4 MB) and slow to parse.

Text is shaped with HarfBuzz (``uharfbuzz``), which joins Arabic letters and
orders right-to-left runs. Scripts neither font has (Devanagari, emoji...)
show as empty boxes; the HTML report, printed from a browser, shows them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask_babel import format_datetime
from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from portal import choices
from portal.insight import charts
from portal.insight.presentation import number as _number

FONTS = Path(__file__).resolve().parent / "fonts"
BODY_FONT = FONTS / "DejaVuSans.ttf"
BOLD_FONT = FONTS / "DejaVuSans-Bold.ttf"
CJK_FONT = FONTS / "DroidSansFallbackFull.ttf"

SERIES_COLOURS = {"needs": (11, 94, 168), "offers": (230, 145, 56), "agreements": (30, 107, 50)}
INK, MUTED, LINE = (27, 39, 51), (86, 99, 111), (213, 219, 225)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(233, 238, 242))


@lru_cache(maxsize=1)
def _body_characters() -> frozenset[int]:
    """Code points the body font draws; others need the fallback font."""
    font = TTFont(BODY_FONT, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def needs_fallback(texts) -> bool:
    covered = _body_characters()
    return any(ord(c) not in covered for text in texts for c in text if not c.isspace())


def _complex_script(character: str) -> bool:
    """Arabic, Hebrew, Syriac, Thaana and the Indic scripts need shaping (joining, reordering)."""
    point = ord(character)
    return (0x0590 <= point <= 0x0DFF or 0xFB1D <= point <= 0xFDFF or 0xFE70 <= point <= 0xFEFF)


def needs_shaping(texts) -> bool:
    return any(_complex_script(c) for text in texts for c in text)


class ReportPDF(FPDF):
    def __init__(self, *, title: str, footer_note: str, fallback: bool, shaping: bool):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = title
        self.footer_note = footer_note
        self.set_title(title)
        self.set_creator("Capacity Match")
        self.add_font("DejaVu", "", str(BODY_FONT))
        self.add_font("DejaVu", "B", str(BOLD_FONT))
        if fallback:
            self.add_font("DroidFallback", "", str(CJK_FONT))
            self.set_fallback_fonts(["DroidFallback"], exact_match=False)
        if shaping:  # HarfBuzz shaping is right for every script, but slow: only when needed
            self.set_text_shaping(True)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.alias_nb_pages()

    def footer(self):
        self.set_y(-13)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, f"{self.report_title} · {self.footer_note}", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(*INK)

    # -- building blocks -----------------------------------------------------

    def heading(self, text: str, size: int = 13, keep_with: float = 30):
        """A heading, on a new page if what must follow it (``keep_with`` mm) would not fit."""
        if self.get_y() + keep_with > self.h - 20:
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_font("DejaVu", size=9)
        self.ln(1)

    def paragraph(self, text: str, size: float = 9, colour=INK):
        self.set_font("DejaVu", size=size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(*INK)
        self.ln(1)

    def data_table(self, headings: list[str], rows: list[list[str]], widths: tuple | None = None):
        self.set_font("DejaVu", size=8)
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(*LINE)
        with self.table(col_widths=widths, headings_style=HEADINGS, line_height=4.6,
                        text_align="LEFT", first_row_as_headings=True, padding=1) as table:
            table.row([str(h) for h in headings])
            for row in rows:
                table.row([str(cell) for cell in row])
        self.ln(2)

    def chart_height(self, chart: charts.BarChart) -> float:
        return chart.height * self._chart_scale(chart) + 4

    def _chart_scale(self, chart: charts.BarChart) -> float:
        return (self.w - self.l_margin - self.r_margin) / chart.width * 0.8

    def bar_chart(self, chart: charts.BarChart):
        """The same geometry as the page's SVG, scaled to the page width."""
        scale = self._chart_scale(chart)
        needed = self.chart_height(chart)
        if self.get_y() + needed > self.h - 20:
            self.add_page()
        top, left = self.get_y(), self.l_margin
        self.set_font("DejaVu", size=6.5)
        for series, x in chart.legend:
            self.set_fill_color(*SERIES_COLOURS[series.key])
            self.rect(left + x * scale, top + 2, 3, 3, style="F")
            self.set_xy(left + x * scale + 4, top + 1.5)
            self.cell(40, 4, series.name)
        for row in chart.rows:
            label_width = (chart.label_x - 4) * scale
            self.set_xy(left, top + row.label_y * scale - 2.6)
            self.cell(label_width, 4, _fit(self, row.label, label_width), align="R")
            for bar in row.bars:
                self.set_fill_color(*SERIES_COLOURS[bar.series])
                if bar.width > 0:
                    self.rect(left + bar.x * scale, top + bar.y * scale, bar.width * scale,
                              bar.height * scale, style="F")
                self.set_xy(left + bar.text_x * scale, top + bar.y * scale - 0.4)
                self.cell(20, bar.height * scale, bar.value_text)
        self.set_fill_color(255, 255, 255)
        self.set_y(top + needed)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut a label that does not fit its column, with an ellipsis."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _strings(context) -> list[str]:
    page = context["page"]
    texts = [row.label for table in page.tables for row in table.rows]
    texts += [need.title for need in context["unmet_needs"]]
    texts += [m.need_title + m.offer_title + m.provider for m in context["agreed_matches"]]
    texts += [_("Report"), _("Needs"), _("Key figures")]  # the reader's language
    return texts


def render_pdf(context: dict) -> bytes:
    """The report of ``context`` (what the HTML report shows) as PDF bytes."""
    page = context["page"]
    title = _("Capacity Match: technical assistance under the UN Convention against Cybercrime")
    note = (_("Figures counting fewer than 3 needs are shown as “fewer than 3”.") if page.public
            else _("For the secretariat: names States and needs."))
    texts = _strings(context)
    pdf = ReportPDF(title=title, footer_note=note, fallback=needs_fallback(texts), shaping=needs_shaping(texts))
    pdf.add_page()
    pdf.heading(title, 15)
    pdf.paragraph(_("Report for the period: %(period)s", period=context["period"]), 10)
    filters = context["filters"]
    scope = [_("Region: %(region)s", region=choices.code_label("region", filters.region)) if filters.region else "",
             _("Theme: %(theme)s", theme=choices.code_label("theme", filters.theme)) if filters.theme else ""]
    if any(scope):
        pdf.paragraph(" · ".join(s for s in scope if s))
    pdf.paragraph(_("Prepared on %(date)s.", date=context["generated"]), 8, MUTED)
    pdf.paragraph(_("Needs and offers count if they were submitted in the period, with the status they "
                    "have today; matches count in the month they were agreed. A need may have several "
                    "themes and kinds of help, so those rows add up to more than the total."), 8, MUTED)

    pdf.heading(_("Key figures"))
    pdf.data_table([_("Figure"), _("Value"), _("Detail")],
                   [[k.label, k.value, k.note] for k in page.kpis], widths=(70, 30, 78))

    for table in page.tables:
        pdf.heading(table.caption, 11, keep_with=pdf.chart_height(table.chart))
        pdf.bar_chart(table.chart)
        pdf.data_table([table.caption, _("Needs"), _("Offers")],
                       [[row.label, _number(row.needs), _number(row.offers)] for row in table.rows],
                       widths=(110, 34, 34))

    pdf.heading(_("Month by month"), 11)
    pdf.data_table([_("Month"), _("Needs submitted"), _("Offers submitted"), _("Matches agreed")],
                   [list(row) for row in page.trend_rows])

    pdf.heading(_("Gaps"))
    for key, heading, count_label in _gap_sections():
        pdf.heading(heading, 10)
        items = page.gaps[key]
        if items:
            pdf.data_table([_("Where"), count_label], [[g.label, g.count] for g in items], widths=(130, 48))
        else:
            pdf.paragraph(_("None."), 9, MUTED)

    pdf.heading(_("Unmet needs: open needs with no viable offer"))
    for key, caption in (("region", _("By region")), ("theme", _("By theme"))):
        rows = page.unmet[key]
        pdf.heading(caption, 10)
        if rows:
            pdf.data_table([caption, _("Needs")], [[r.label, _number(r.needs)] for r in rows], widths=(130, 48))
        else:
            pdf.paragraph(_("None."), 9, MUTED)

    if context["staff"]:
        _staff_lists(pdf, context)
    return bytes(pdf.output())


def _gap_sections():
    return [
        ("themes_without_supply", _("Themes with open needs and no offer that can take them"), _("Open needs")),
        ("themes_without_demand", _("Themes with offers and no open need"), _("Offers")),
        ("regions_without_supply", _("Regions with open needs and no offer serving them"), _("Open needs")),
        ("regions_without_demand", _("Regions served by offers with no open need"), _("Offers")),
        ("cells_without_supply", _("Themes and regions with open needs and no offer"), _("Open needs")),
    ]


def _staff_lists(pdf: ReportPDF, context: dict) -> None:
    limit = context["list_limit"]
    pdf.heading(_("Open needs, by region (secretariat only)"))
    needs = context["unmet_needs"]
    if needs:
        pdf.data_table(
            [_("Need"), _("State"), _("Themes"), _("Submitted"), _("Viable offers")],
            [[n.title, choices.country_name(n.country), ", ".join(choices.code_label("theme", t) for t in n.themes),
              format_datetime(n.submitted_at, "yyyy-MM-dd"), _number(n.viable_offers)] for n in needs],
            widths=(62, 28, 50, 20, 18))
        if len(needs) >= limit:
            pdf.paragraph(_("Only the first %(count)s are listed.", count=limit), 8, MUTED)
    else:
        pdf.paragraph(_("None."), 9, MUTED)
    pdf.heading(_("Matches agreed in the period (secretariat only)"))
    matches = context["agreed_matches"]
    if matches:
        pdf.data_table(
            [_("Need"), _("State"), _("Offer"), _("Provider"), _("Agreed"), _("Days")],
            [[m.need_title, choices.country_name(m.country), m.offer_title, m.provider,
              format_datetime(m.agreed_at, "yyyy-MM-dd"), _number(round(m.days))] for m in matches],
            widths=(45, 22, 45, 28, 20, 18))
        if len(matches) >= limit:
            pdf.paragraph(_("Only the first %(count)s are listed.", count=limit), 8, MUTED)
    else:
        pdf.paragraph(_("None."), 9, MUTED)
