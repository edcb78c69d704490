from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.access import is_donor_focal_point, is_state_focal_point

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Send each user to where their work is."""
    if not current_user.is_authenticated:
        return render_template("main/index.html")
    if is_state_focal_point(current_user):
        return redirect(url_for("needs.index"))
    if is_donor_focal_point(current_user):
        return redirect(url_for("offers.index"))
    if current_user.is_admin:
        return redirect(url_for("admin.organisations"))
    return redirect(url_for("needs.index"))
