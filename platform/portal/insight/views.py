"""Dashboards and the report: where needs go unmet and how fast help arrives.

The coordinators' dashboard shows everything; the public one (no login
needed) and the report for anyone but the secretariat show aggregates only,
with small figures suppressed (see ``presentation``).
"""

from datetime import date

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import coordinator_required
from portal.auth.limits import limiter
from portal.insight import presentation, services
from portal.insight.forms import InsightFilterForm
from portal.insight.pdf import render_pdf

bp = Blueprint("insight", __name__)
bp.add_app_template_filter(presentation.number, "insight_number")


def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.is_coordinator


def _filters() -> tuple[InsightFilterForm, services.Filters]:
    form = InsightFilterForm(formdata=request.args)
    form.validate()
    return form, form.filters()


def _dashboard(template_public: bool):
    form, filters = _filters()
    page = presentation.build(services.figures(filters), public=template_public)
    return render_template("insight/dashboard.html", form=form, filters=filters, page=page,
                           period=period_text(filters)), 422 if form.errors else 200


@bp.route("/")
@coordinator_required
def dashboard():
    return _dashboard(template_public=False)


@bp.route("/public")
def public():
    return _dashboard(template_public=True)


def period_text(filters: services.Filters) -> str:
    if filters.start and filters.end:
        return _("%(first)s to %(last)s", first=filters.start, last=filters.end)
    if filters.start:
        return _("from %(first)s", first=filters.start)
    if filters.end:
        return _("up to %(last)s", last=filters.end)
    return _("all months up to %(today)s", today=format_date(date.today(), "medium"))


def _report_context():
    form, filters = _filters()
    staff = _is_staff()
    figures = services.figures(filters)
    return form, {
        "form": form, "filters": filters, "staff": staff,
        "page": presentation.build(figures, public=not staff),
        "unmet_needs": services.unmet_needs(filters) if staff else [],
        "agreed_matches": services.agreed_matches(filters) if staff else [],
        "list_limit": services.LIST_LIMIT,
        "period": period_text(filters), "generated": format_date(date.today(), "long"),
    }


@bp.route("/report")
def report():
    form, context = _report_context()
    return render_template("insight/report.html", **context), 422 if form.errors else 200


def _public_pdf_limit() -> str:
    return current_app.config["PUBLIC_PDF_LIMIT"]


@bp.route("/report.pdf")
@limiter.limit(_public_pdf_limit, exempt_when=_is_staff)
def report_pdf():
    form, context = _report_context()
    if form.errors:  # the HTML report says which field is wrong
        return redirect(url_for("insight.report", **{name: request.args.get(name, "")[:20]
                                                     for name in ("from", "to", "region", "theme")
                                                     if request.args.get(name)}))
    name = "-".join(["capacity-match-report", *[v for v in (context["filters"].start,
                                                            context["filters"].end) if v]])
    body = render_pdf(context)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
