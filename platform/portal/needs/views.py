from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import choices
from portal.audit import services as audit
from portal.auth.access import can_edit, owns, requesting_state_required
from portal.extensions import db
from portal.forms import WithdrawForm
from portal.lifecycle import ListFilters
from portal.matches import services as matches
from portal.needs import services, visibility
from portal.needs.forms import NeedForm
from portal.needs.models import Need
from portal.records import STATUS_LABELS
from portal.views import (
    change_status,
    commit_step,
    create_once,
    get_visible_or_404,
    page_number,
)

bp = Blueprint("needs", __name__)


@bp.route("/")
@login_required
def index():
    filters = ListFilters.from_args(request.args)
    page = db.paginate(services.visible_needs(current_user, filters), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("needs/index.html", page=page, filters=filters,
                           statuses=STATUS_LABELS, themes=choices.code_choices("theme"),
                           countries=choices.country_choices())


@bp.route("/new", methods=["GET", "POST"])
@requesting_state_required
def new():
    form = NeedForm()
    if form.validate_on_submit():
        done = (_("Your need has been submitted.") if form.wants_submission
                else _("Your need is saved as a draft."))
        created = create_once(
            form, lambda: services.create_need(form.record_fields(), current_user, submit=form.wants_submission),
            lambda need: url_for("needs.view", need_id=need.id), done)
        if created:
            return created
    return render_template("needs/form.html", form=form, need=None)


def get_readable_or_404(need_id: int) -> Need:
    """The need if the user may read it; 404 otherwise (a restricted need's
    existence is not revealed either)."""
    need = db.session.get(Need, need_id)
    if need is None or not visibility.can_read(current_user, need):
        abort(404)
    return need


@bp.route("/browse")
@login_required
def browse():
    """Other States' needs shared with this user (public, or with donors)."""
    page = db.paginate(visibility.browsable_by(current_user), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    visibility.preload_disclosures(current_user, page.items)  # one query for the page's State names
    return render_template("needs/browse.html", page=page)


@bp.route("/<int:need_id>")
@login_required
def view(need_id: int):
    need = get_readable_or_404(need_id)
    coordinator = current_user.is_coordinator
    return render_template("needs/view.html", need=need, can_edit=can_edit(current_user, need),
                           is_owner=owns(current_user, need),
                           candidates=matches.candidates_for(need) if coordinator else [],
                           trail=audit.trail("need", need.id) if coordinator else [],
                           record_matches=matches.matches_of_need(need))


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@requesting_state_required
def edit(need_id: int):
    need = get_visible_or_404(Need, need_id)
    if not can_edit(current_user, need):
        flash(_("This need can no longer be edited."), "warning")
        return redirect(url_for("needs.view", need_id=need.id))
    form = NeedForm(obj=need)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_need(need, form.record_fields(), current_user, submit=form.wants_submission),
        _("Your changes are saved."), form,
    ):
        return redirect(url_for("needs.view", need_id=need.id))
    return render_template("needs/form.html", form=form, need=need)


@bp.route("/<int:need_id>/submit", methods=["POST"])
@requesting_state_required
def submit(need_id: int):
    need = get_visible_or_404(Need, need_id)
    change_status(need, services.submit_need, _("Your need has been submitted."))
    return redirect(url_for("needs.view", need_id=need.id))


@bp.route("/<int:need_id>/withdraw", methods=["GET", "POST"])
@requesting_state_required
def withdraw(need_id: int):
    need = get_visible_or_404(Need, need_id)
    form = WithdrawForm()
    if form.validate_on_submit() and change_status(
        need, lambda record, user: services.withdraw_need(record, user, form.reason.data), _("Your need has been withdrawn.")
    ):
        return redirect(url_for("needs.view", need_id=need.id))
    return render_template("confirm_withdraw.html", record=need, form=form,
                           open_proposals=matches.open_matches_of(need),
                           back=url_for("needs.view", need_id=need.id))
