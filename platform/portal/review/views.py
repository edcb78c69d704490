import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import choices
from portal.audit import services as audit
from portal.auth.access import coordinator_required
from portal.extensions import db
from portal.matches import services as matches
from portal.matches import workflow
from portal.matches.forms import ProposeForm, RejectForm
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.review import services
from portal.views import commit_step, get_visible_or_404, page_number

bp = Blueprint("review", __name__)


@bp.route("/")
@coordinator_required
def queue():
    filters = services.QueueFilters.from_args(request.args)
    page = db.paginate(services.review_queue(filters), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    page.items = services.needs_by_id(page.items)
    return render_template("review/queue.html", page=page, filters=filters,
                           regions=choices.code_choices("region"), themes=choices.code_choices("theme"),
                           is_urgent=services.is_urgent, window_passed=services.window_passed)


@bp.route("/needs/<int:need_id>")
@coordinator_required
def need(need_id: int):
    need = get_visible_or_404(Need, need_id)
    return _render_review(need, ProposeForm(), RejectForm())


def _render_review(need: Need, propose_form: ProposeForm, reject_form: RejectForm, status: int = 200):
    query = (request.args.get("q") or request.form.get("q") or "").strip()
    proposed = {m.offer_id for m in matches.matches_of_need(need) if m.is_open}
    return render_template(
        "review/need.html", need=need, candidates=matches.review_candidates(need),
        need_matches=matches.matches_of_need(need), proposed=proposed, query=query,
        search_results=matches.search_offers(query) if query else [],
        propose_form=propose_form, reject_form=reject_form,
        trail=audit.trail("need", need.id), is_urgent=services.is_urgent(need),
        window_passed=services.window_passed(need),
    ), status


def _offer_from(form) -> Offer | None:
    offer_id = str(form.offer_id.data or "")
    # str.isdigit() accepts "²"; PostgreSQL INTEGER stops at 2**31 - 1.
    if not re.fullmatch(r"[1-9][0-9]{0,8}", offer_id):
        return None
    return db.session.get(Offer, int(offer_id))


@bp.route("/needs/<int:need_id>/propose", methods=["POST"])
@coordinator_required
def propose(need_id: int):
    need = get_visible_or_404(Need, need_id)
    form = ProposeForm()
    offer = _offer_from(form)
    if form.validate_on_submit() and offer is not None and commit_step(
        lambda: workflow.propose(need, offer, current_user, note=form.note.data),
        _("The proposal is sent to the donor and the requesting State."),
    ):
        return redirect(url_for("review.need", need_id=need.id))
    db.session.refresh(need)
    return _render_review(need, form, RejectForm(), status=422 if form.errors else 409)


@bp.route("/needs/<int:need_id>/reject", methods=["POST"])
@coordinator_required
def reject(need_id: int):
    need = get_visible_or_404(Need, need_id)
    form = RejectForm()
    offer = _offer_from(form)
    if form.validate_on_submit() and offer is not None and commit_step(
        lambda: workflow.reject(need, offer, current_user, reason=form.reason.data, note=form.note.data),
        _("The candidate is rejected and will not be shown again for this need."),
    ):
        return redirect(url_for("review.need", need_id=need.id))
    db.session.refresh(need)
    return _render_review(need, ProposeForm(), form, status=422 if form.errors else 409)
