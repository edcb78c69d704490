"""The dashboards and the report as their readers get them: filters, charts,
the PDF, and nothing confidential on the public side."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.auth.models import OrganisationKind, Role
from portal.choices import country_name
from portal.insight import presentation
from portal.matches.models import Match, MatchStatus
from portal.needs.models import Need

RESTRICTED_TITLE = "QZX restricted forensic weakness"
CHINESE_TITLE = "电子证据能力建设"
ARABIC_TITLE = "تطوير مختبر الأدلة الرقمية"


@pytest.fixture
def world(db, make_user, make_need, make_offer):
    """Restricted needs of a small-island State (Fiji, Oceania), alone in its region,
    and public needs elsewhere; one of them agreed."""
    fiji = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="FJI")
    kenya = make_user(Role.FOCAL_POINT, kind=OrganisationKind.REQUESTING_STATE, country="KEN")
    restricted = make_need(user=fiji, title=RESTRICTED_TITLE, confidentiality="restricted",
                           themes=["digital_forensics"])
    make_need(user=kenya, title=CHINESE_TITLE, language="zh", confidentiality="public")
    make_need(user=kenya, title=ARABIC_TITLE, language="ar", confidentiality="public")
    agreed = make_need(user=kenya, title="Agreed Kenyan need", confidentiality="public")
    offer = make_offer(title="Offer for Kenya")
    for need in db.session.scalars(sa.select(Need)):
        need.created_at = datetime(2026, 1, 1)
    db.session.add(Match(need_id=agreed.id, offer_id=offer.id, status=MatchStatus.AGREED,
                         agreed_at=datetime(2026, 1, 11)))
    db.session.commit()
    return {"restricted": restricted}


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_public_dashboard_shows_aggregates_and_no_confidential_need(client, world):
    html = client.get("/insight/public").get_data(as_text=True)
    assert "Needs submitted" in html and "<svg" in html
    for secret in (RESTRICTED_TITLE, country_name("FJI"), "FJI", CHINESE_TITLE, "Agreed Kenyan need"):
        assert secret not in html
    # Oceania has one need: its figure is suppressed, and the rule is explained.
    oceania = re.search(r'<th scope="row">Oceania</th><td class="num">([^<]*)</td>', html)
    assert oceania and oceania.group(1) == "fewer than 3"
    assert "fewer than 3" in html and "one or two needs" in html


def test_the_public_figures_hide_a_lone_small_cell_with_the_next_smallest():
    assert presentation.suppress({"a": 10, "b": 2, "c": 5, "d": 0}, partition=True) == \
        {"a": 10, "b": None, "c": None, "d": 0}
    assert presentation.suppress({"a": 10, "b": 2, "c": 1}, partition=True) == {"a": 10, "b": None, "c": None}
    assert presentation.suppress({"a": 10, "b": 2}, partition=False) == {"a": 10, "b": None}


def test_the_coordinator_dashboard_shows_every_figure(client, login, coordinator, world):
    login(coordinator)
    html = client.get("/insight/?region=oceania").get_data(as_text=True)
    assert "fewer than 3" not in html
    kpi = re.search(r"Needs submitted</dt>\s*<dd><span class=\"kpi-value\">(\d+)</span>", html)
    assert kpi and kpi.group(1) == "1"


def test_a_state_may_not_open_the_coordinator_dashboard(client, login, state_user):
    login(state_user)
    assert client.get("/insight/").status_code == 403


def test_a_bad_month_is_explained_at_its_field_and_the_rest_still_applies(client, world):
    response = client.get("/insight/public?from=2026-13&region=africa")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="from-errors"' in html and "Enter a month as YYYY-MM" in html
    assert 'value="2026-13"' in html  # the reader's input is kept
    kpi = re.search(r"Needs submitted</dt>\s*<dd><span class=\"kpi-value\">(\d+)</span>", html)
    assert kpi and kpi.group(1) == "3"  # the three Kenyan needs: the region still applies


def test_months_in_the_wrong_order_are_refused(client):
    html = client.get("/insight/public?from=2026-05&to=2026-01").get_data(as_text=True)
    assert "The last month comes before the first" in html


def test_every_chart_is_an_image_with_a_description_and_a_data_table(client, world):
    html = client.get("/insight/public").get_data(as_text=True)
    charts = re.findall(r"<svg[^>]*>.*?</svg>\s*<details class=\"chart-data\">.*?<table", html, re.DOTALL)
    assert len(charts) == 5  # theme, region, kind of help, status, months
    for chart in charts:
        assert 'role="img"' in chart and "<title" in chart and "<desc" in chart


def test_the_report_for_the_secretariat_lists_needs_and_matches(client, login, coordinator, world):
    login(coordinator)
    html = client.get("/insight/report?from=2026-01&to=2026-12").get_data(as_text=True)
    assert RESTRICTED_TITLE in html and "Agreed Kenyan need" in html
    assert "@media print" not in html and "insight.css" in html


def test_the_pdf_report_holds_the_figures_and_the_titles_in_every_script(client, login, coordinator, world):
    login(coordinator)
    text = pdf_text(client.get("/insight/report.pdf"))
    assert "Needs submitted" in text
    assert re.search(r"Matches agreed\s*1\b", text)
    assert RESTRICTED_TITLE in text
    assert CHINESE_TITLE in text  # drawn with the bundled CJK font
    assert "مختبر" in text  # Arabic, shaped


def test_the_public_pdf_report_has_no_confidential_need(client, world):
    response = client.get("/insight/report.pdf?from=2026-01&to=2026-12")
    assert 'filename="capacity-match-report-2026-01-2026-12.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response)
    assert "Needs submitted" in text and "fewer than 3" in text
    for secret in (RESTRICTED_TITLE, country_name("FJI"), CHINESE_TITLE):
        assert secret not in text


def test_a_pdf_with_a_bad_filter_sends_the_reader_to_the_explained_form(client):
    response = client.get("/insight/report.pdf?to=soon")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/insight/report?to=soon")


def test_anonymous_pdf_downloads_are_rate_limited_but_not_the_secretariats(
        app, client, login, coordinator):
    # A PDF costs real CPU: a few a minute for the public, none counted for staff.
    app.config["PUBLIC_PDF_LIMIT"] = "2 per minute"
    statuses = [client.get("/insight/report.pdf").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    login(coordinator)
    assert [client.get("/insight/report.pdf").status_code for _ in range(3)] == [200] * 3
