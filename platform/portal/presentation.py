"""Template filters and globals: templates show prepared values, never query."""

from __future__ import annotations

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, has_request_context
from flask_login import current_user

from matching import THEMES
from portal import choices
from portal.audit import presentation as audit_presentation
from portal.auth.access import is_donor_focal_point, is_state_focal_point
from portal.auth.models import ORGANISATION_KIND_LABELS, ROLE_LABELS
from portal.matches.models import DECISION_LABELS, MATCH_STATUS_LABELS, MatchStatus
from portal.needs import visibility
from portal.needs.models import CONFIDENTIALITY_LABELS, Confidentiality
from portal.notifications.services import inbox_count
from portal.records import STATUS_LABELS, Status


def money(amount: float | None, locale: str = choices.DEFAULT_LOCALE) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, "USD", locale=locale, format="¤#,##0", currency_digits=False)


def month(value: str | None) -> str:
    return value or "—"


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
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.globals["need_state"] = need_state
    app.jinja_env.filters.update(
        country=choices.country_name,
        language=choices.language_name,
        money=money,
        number=lambda value: format_decimal(value, locale=choices.DEFAULT_LOCALE),
        month=month,
        status_label=lambda status: STATUS_LABELS.get(Status(status), status),
        role_label=lambda role: ROLE_LABELS.get(role, role),
        org_kind_label=lambda kind: ORGANISATION_KIND_LABELS.get(kind, kind),
        theme_label=lambda code: choices.code_label("theme", code),
        modality_label=lambda code: choices.code_label("modality", code),
        beneficiary_label=lambda code: choices.code_label("beneficiary", code),
        region_label=lambda code: choices.code_label("region", code),
        delivery_label=lambda code: choices.code_label("delivery", code),
        match_status_label=lambda status: MATCH_STATUS_LABELS.get(MatchStatus(status), status),
        decision_label=lambda decision: DECISION_LABELS.get(decision, "Waiting for an answer"),
        audit_action=audit_presentation.action_label,
        confidentiality_label=lambda level: CONFIDENTIALITY_LABELS.get(Confidentiality(level), level),
        audit_changes=audit_presentation.changes,
    )

    @app.context_processor
    def navigation():
        # E-mails are rendered outside requests too (command line, tests).
        user = current_user if has_request_context() else None
        logged_in = user is not None and user.is_authenticated
        return {
            "THEMES": THEMES,
            "nav_needs": logged_in and (user.is_coordinator or is_state_focal_point(user)),
            "nav_browse": logged_in and not user.is_coordinator,
            "nav_offers": logged_in and (user.is_coordinator or is_donor_focal_point(user)),
            "nav_admin": logged_in and user.is_admin,
            "nav_review": logged_in and user.is_coordinator,
            "nav_matches": logged_in,
            "inbox_count": inbox_count(user) if logged_in else 0,
            "nav_outbox": logged_in and user.is_admin and current_app.config["ENV_NAME"] == "development",
        }
