from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import choices
from portal.audit import services as audit
from portal.auth.access import can_edit, donor_required, owns
from portal.extensions import db
from portal.forms import WithdrawForm
from portal.lifecycle import ListFilters
from portal.matches import services as matches
from portal.offers import services
from portal.offers.forms import OfferForm
from portal.offers.models import Offer
from portal.records import STATUS_LABELS
from portal.views import (
    change_status,
    commit_step,
    create_once,
    get_visible_or_404,
    page_number,
)

bp = Blueprint("offers", __name__)


@bp.route("/")
@login_required
def index():
    filters = ListFilters.from_args(request.args)
    page = db.paginate(services.visible_offers(current_user, filters), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("offers/index.html", page=page, filters=filters,
                           statuses=STATUS_LABELS, themes=choices.code_choices("theme"))


@bp.route("/new", methods=["GET", "POST"])
@donor_required
def new():
    form = OfferForm()
    if form.validate_on_submit():
        done = (_("Your offer is published to the secretariat.") if form.wants_submission
                else _("Your offer is saved as a draft."))
        created = create_once(
            form, lambda: services.create_offer(form.record_fields(), current_user, submit=form.wants_submission),
            lambda offer: url_for("offers.view", offer_id=offer.id), done)
        if created:
            return created
    return render_template("offers/form.html", form=form, offer=None)


@bp.route("/<int:offer_id>")
@login_required
def view(offer_id: int):
    offer = get_visible_or_404(Offer, offer_id)
    return render_template("offers/view.html", offer=offer, can_edit=can_edit(current_user, offer),
                           is_owner=owns(current_user, offer),
                           trail=audit.trail("offer", offer.id) if current_user.is_coordinator else [],
                           record_matches=matches.matches_of_offer(offer, current_user))


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@donor_required
def edit(offer_id: int):
    offer = get_visible_or_404(Offer, offer_id)
    if not can_edit(current_user, offer):
        flash(_("This offer can no longer be edited."), "warning")
        return redirect(url_for("offers.view", offer_id=offer.id))
    form = OfferForm(obj=offer)
    if form.validate_on_submit() and commit_step(
        lambda: services.update_offer(offer, form.record_fields(), current_user, submit=form.wants_submission),
        _("Your changes are saved."), form,
    ):
        return redirect(url_for("offers.view", offer_id=offer.id))
    return render_template("offers/form.html", form=form, offer=offer)


@bp.route("/<int:offer_id>/submit", methods=["POST"])
@donor_required
def submit(offer_id: int):
    offer = get_visible_or_404(Offer, offer_id)
    change_status(offer, services.submit_offer, _("Your offer is published to the secretariat."))
    return redirect(url_for("offers.view", offer_id=offer.id))


@bp.route("/<int:offer_id>/withdraw", methods=["GET", "POST"])
@donor_required
def withdraw(offer_id: int):
    offer = get_visible_or_404(Offer, offer_id)
    form = WithdrawForm()
    if form.validate_on_submit() and change_status(
        offer, lambda record, user: services.withdraw_offer(record, user, form.reason.data), _("Your offer has been withdrawn.")
    ):
        return redirect(url_for("offers.view", offer_id=offer.id))
    return render_template("confirm_withdraw.html", record=offer, form=form,
                           open_proposals=matches.open_matches_of(offer),
                           back=url_for("offers.view", offer_id=offer.id))
