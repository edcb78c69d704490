"""Template filters and globals: templates show prepared values, never query."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from flask import Flask, current_app, has_request_context
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal import choices, taxonomy
from portal.audit import presentation as audit_presentation
from portal.auth.access import is_donor_focal_point, is_state_focal_point
from portal.auth.models import ORGANISATION_KIND_LABELS, ROLE_LABELS
from portal.matches.models import DECISION_LABELS, MATCH_STATUS_LABELS, MatchStatus
from portal.needs import visibility
from portal.needs.models import CONFIDENTIALITY_LABELS, Confidentiality
from portal.notifications.services import inbox_count
from portal.records import STATUS_LABELS, Status


def money(amount: float | None) -> str:
    """US dollars, whole, written the way the page's language writes money."""
    if amount is None:
        return "—"
    return format_currency(amount, "USD", format="¤#,##0", currency_digits=False)


def month(value: str | None) -> str:
    """A YYYY-MM month as the page's language names it ("March 2026", "mars 2026")."""
    if not value:
        return "—"
    try:
        year, number = (int(part) for part in value.split("-"))
        return format_skeleton("yMMM", date(year, number, 1), locale=choices.current_locale())
    except ValueError:
        return value


# How each language separates the items of a list (Arabic comma, Chinese enumeration comma).
LIST_SEPARATORS = {"ar": "، ", "zh": "、"}


def list_join(values) -> str:
    """Items joined with the page's language's separator ("a, b", "a، b", "a、b")."""
    return LIST_SEPARATORS.get(choices.current_locale(), ", ").join(str(v) for v in values)


def ltr(value) -> Markup:
    """A code, reference or e-mail address kept left to right inside any text (escaped)."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def isolate(value) -> Markup:
    """Text typed by a user, isolated so its direction does not scramble the sentence (escaped)."""
    return Markup("<bdi>{}</bdi>").format(value)


def score(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="0.00")


def field_attrs(field, *, has_hint: bool) -> dict[str, str]:
    """ARIA attributes tying a field to its hint and its errors."""
    described = [f"{field.id}-hint"] if has_hint else []
    attrs = {}
    if field.errors:
        described.append(f"{field.id}-errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def need_state(need) -> str:
    """The need's State as the current user may see it (name withheld for some)."""
    return visibility.state_label(current_user, need, choices.country_name)


def register(app: Flask) -> None:
    from portal.matches.reasons import reason_text

    app.jinja_env.filters["reason"] = reason_text
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.globals["need_state"] = need_state
    app.jinja_env.filters.update(
        country=choices.country_name,
        language=choices.language_name,
        money=money,
        number=format_decimal,
        decimal2=score,
        ltr=ltr,
        isolate=isolate,
        list_join=list_join,
        date=lambda value: format_date(value, "medium") if value else "—",
        datetime=lambda value: format_datetime(value, "short") if value else "—",
        month=month,
        status_label=lambda status: str(STATUS_LABELS.get(Status(status), status)),
        role_label=lambda role: str(ROLE_LABELS.get(role, role)),
        org_kind_label=lambda kind: str(ORGANISATION_KIND_LABELS.get(kind, kind)),
        theme_label=lambda code: choices.code_label("theme", code),
        modality_label=lambda code: choices.code_label("modality", code),
        beneficiary_label=lambda code: choices.code_label("beneficiary", code),
        region_label=lambda code: choices.code_label("region", code),
        delivery_label=lambda code: choices.code_label("delivery", code),
        match_status_label=lambda status: str(MATCH_STATUS_LABELS.get(MatchStatus(status), status)),
        decision_label=lambda decision: str(DECISION_LABELS.get(decision) or _("Waiting for an answer")),
        audit_action=audit_presentation.action_label,
        confidentiality_label=lambda level: str(CONFIDENTIALITY_LABELS.get(Confidentiality(level), level)),
        audit_changes=audit_presentation.changes,
    )

    @app.context_processor
    def navigation():
        # E-mails are rendered outside requests too (command line, tests).
        user = current_user if has_request_context() else None
        logged_in = user is not None and user.is_authenticated
        return {
            "THEMES": taxonomy.THEMES,
            "nav_needs": logged_in and (user.is_coordinator or is_state_focal_point(user)),
            "nav_browse": logged_in and not user.is_coordinator,
            "nav_offers": logged_in and (user.is_coordinator or is_donor_focal_point(user)),
            "nav_admin": logged_in and user.is_admin,
            "nav_review": logged_in and user.is_coordinator,
            "nav_matches": logged_in,
            "inbox_count": inbox_count(user) if logged_in else 0,
            "nav_outbox": logged_in and user.is_admin and current_app.config["ENV_NAME"] == "development",
        }
