from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.notifications import services
from portal.notifications.models import Notification
from portal.views import page_number

bp = Blueprint("notifications", __name__)


@bp.route("/")
@login_required
def inbox():
    """What waits for the user: decisions to take, then what they were told."""
    page = db.paginate(services.notifications_of(current_user), page=page_number(),
                       per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("notifications/inbox.html", page=page,
                           waiting=services.waiting_for(current_user))


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    services.mark_read(notification)
    db.session.commit()
    return redirect(notification.link or url_for("notifications.inbox"))


@bp.route("/outbox")
@login_required
def outbox():
    """The e-mails the platform sent, for trying it out: development only."""
    if current_app.config["ENV_NAME"] != "development" and not current_app.testing:
        abort(404)
    if not current_user.is_admin:
        abort(403)
    page = db.paginate(services.outbox(), page=page_number(), per_page=20, error_out=False)
    return render_template("notifications/outbox.html", page=page)
