"""Administration: organisations, their users and invitations.

Views load, check, validate, call one service, flash and redirect; the rules
(who may hold which role, who may be deactivated) live in ``auth.services``.
"""

from __future__ import annotations

import smtplib

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.forms import InvitationForm, OrganisationForm
from portal.auth import services
from portal.auth.access import admin_required
from portal.auth.models import Organisation, OrganisationKind, User
from portal.errors import ValidationError
from portal.extensions import db
from portal.views import page_number

bp = Blueprint("admin", __name__)


def add_form_error(form, error: ValidationError) -> None:
    """Show a service's error next to its field (or above the form)."""
    field = getattr(form, error.field, None)
    if field is None:
        flash(error.message, "error")
    else:
        field.errors = [*field.errors, error.message]


@bp.route("/organisations")
@admin_required
def organisations():
    page, counts = services.organisations_page(
        page_number(), current_app.config["ITEMS_PER_PAGE"]
    )
    return render_template("admin/organisations.html", page=page, user_counts=counts)


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_required
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        info = services.OrganisationInfo(
            name=form.name.data, kind=OrganisationKind(form.kind.data),
            country=form.country.data or None,
        )
        try:
            organisation = services.create_organisation(info)
        except ValidationError as error:
            add_form_error(form, error)
        else:
            db.session.commit()
            flash(_("The organisation %(name)s was created.", name=organisation.name), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template("admin/new_organisation.html", form=form)


@bp.route("/organisations/<int:organisation_id>")
@admin_required
def organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    return render_template(
        "admin/organisation.html", organisation=organisation,
        users=services.organisation_users(organisation),
        invitations=services.pending_invitations(organisation),
    )


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@admin_required
def invite(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, token = services.invite_user(
                email=form.email.data, name=form.name.data, role=form.role.data,
                organisation=organisation, invited_by=current_user,
                valid_for=current_app.config["INVITATION_MAX_AGE"],
            )
        except ValidationError as error:
            add_form_error(form, error)
        else:
            db.session.commit()
            deliver_invitation(invitation, token)
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template("admin/invite.html", form=form, organisation=organisation)


def deliver_invitation(invitation, token: str) -> None:
    """E-mail the link; show it to the administrator when mail may not reach.

    In development mail is usually not configured, so the link is flashed. If
    sending fails the invitation is kept (it is committed) and the link is
    shown so the administrator can pass it on another way.
    """
    link = services.invitation_link(token)
    try:
        services.send_invitation_email(invitation, link)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("invitation e-mail to %s failed: %s", invitation.email, error)
        flash(_("The invitation was saved but the e-mail could not be sent. Give %(email)s this link: %(link)s", email=invitation.email, link=link), "warning")
        return
    flash(_("An invitation was sent to %(email)s.", email=invitation.email), "success")
    if current_app.config["ENV_NAME"] == "development":
        flash(_("Development: the invitation link is %(link)s", link=link), "info")


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        services.deactivate_user(user, acting=current_user)
    except ValidationError as error:
        flash(_("%(email)s was not deactivated: %(message)s.", email=user.email, message=error.message), "error")
    else:
        db.session.commit()
        flash(_("%(email)s can no longer log in.", email=user.email), "success")
    return redirect(url_for(".organisation", organisation_id=user.organisation_id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate_user(user_id: int):
    user = db.get_or_404(User, user_id)
    services.reactivate_user(user)
    db.session.commit()
    flash(_("%(email)s can log in again.", email=user.email), "success")
    return redirect(url_for(".organisation", organisation_id=user.organisation_id))
