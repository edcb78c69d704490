import sqlalchemy as sa
from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from portal.auth.access import is_donor_focal_point, is_state_focal_point
from portal.extensions import db

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


@bp.route("/healthz")
def healthz():
    """For load balancers and the load benchmark: the process answers and reaches its database.

    Says nothing about the data, so anyone may ask; 503 when the database is out of reach.
    """
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return Response("database unreachable\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
