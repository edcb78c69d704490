from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import services as audit
from portal.auth.access import coordinator_required
from portal.extensions import db
from portal.matches import services, workflow
from portal.matches.forms import CancelForm, DecisionForm
from portal.matches.models import MATCH_STATUS_LABELS, Match
from portal.views import commit_step, page_number

bp = Blueprint("matches", __name__)


def get_match_or_404(match_id: int) -> Match:
    match = db.session.get(Match, match_id)
    if match is None or not services.can_view_match(current_user, match):
        abort(404)
    return match


@bp.route("/")
@login_required
def index():
    status = request.args.get("status") or None
    page = db.paginate(services.visible_matches(current_user, status), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("matches/index.html", page=page, status=status,
                           statuses=MATCH_STATUS_LABELS)


@bp.route("/<int:match_id>")
@login_required
def view(match_id: int):
    match = get_match_or_404(match_id)
    return _render_match(match, DecisionForm(), CancelForm())


def _render_match(match: Match, decision_form: DecisionForm, cancel_form: CancelForm):
    trail = audit.trail("match", match.id) if current_user.is_coordinator else []
    side = workflow.side_of(match, current_user)
    return render_template("matches/view.html", match=match, side=side,
                           contacts=workflow.contacts(match) if side or current_user.is_coordinator else [],
                           decision_form=decision_form, cancel_form=cancel_form, trail=trail)


@bp.route("/<int:match_id>/decide", methods=["POST"])
@login_required
def decide(match_id: int):
    match = get_match_or_404(match_id)
    form = DecisionForm()
    if form.validate_on_submit() and commit_step(
        lambda: workflow.decide(match, current_user, form.decision.data, reason=form.reason.data),
        _("Your answer is recorded."), form,
    ):
        return redirect(url_for("matches.view", match_id=match.id))
    db.session.refresh(match)
    return _render_match(match, form, CancelForm()), 422 if form.errors else 409


@bp.route("/<int:match_id>/start-delivery", methods=["POST"])
@login_required
def start_delivery(match_id: int):
    match = get_match_or_404(match_id)
    commit_step(lambda: workflow.start_delivery(match, current_user), _("Delivery is recorded as started."))
    return redirect(url_for("matches.view", match_id=match.id))


@bp.route("/<int:match_id>/complete", methods=["POST"])
@login_required
def complete(match_id: int):
    match = get_match_or_404(match_id)
    commit_step(lambda: workflow.complete(match, current_user), _("Completion is recorded. Thank you."))
    return redirect(url_for("matches.view", match_id=match.id))


@bp.route("/<int:match_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(match_id: int):
    match = get_match_or_404(match_id)
    form = CancelForm()
    if form.validate_on_submit() and commit_step(
        lambda: workflow.cancel(match, current_user, reason=form.reason.data), _("The match is cancelled."), form
    ):
        return redirect(url_for("matches.view", match_id=match.id))
    db.session.refresh(match)
    return _render_match(match, DecisionForm(), form), 422
