from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth import limits, qr, services, sessions
from portal.auth.forms import AcceptInvitationForm, ChangePasswordForm, CodeForm, LoginForm
from portal.auth.limits import PENDING_LOGIN_KEY
from portal.auth.models import User
from portal.auth.sessions import safe_next_url
from portal.errors import ValidationError
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: limits.init_app(state.app))
login_manager.user_loader(sessions.load_user)

__all__ = ["bp", "safe_next_url"]

#: A password step not followed by its code within this many seconds is forgotten.
PENDING_LOGIN_MAX_AGE = 300
TOTP_SETUP_KEY = "totp_setup_secret"
#: What staff without a second factor may still open: the setup page and the way out.
ALLOWED_BEFORE_TOTP_SETUP = {"auth.totp_setup", "auth.logout", "static"}


@bp.before_app_request
def enforce_session_rules():
    """End idle or too old sessions; send staff without a second factor to set it up."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if sessions.expired():
        sessions.end()
        flash(_("Your session has expired. Please log in again."), "info")
        return None  # go on anonymous: protected pages redirect to the login
    sessions.touch()
    if services.needs_totp_setup(current_user) and request.endpoint not in ALLOWED_BEFORE_TOTP_SETUP:
        return redirect(url_for("auth.totp_setup"))
    return None


@bp.app_errorhandler(429)
def too_many_attempts(error):
    return render_template("auth/too_many_attempts.html"), 429


@bp.route("/login", methods=["GET", "POST"])
@limits.throttle_login_form
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next_url(request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = services.check_credentials(form.email.data, form.password.data)
        except ValidationError as error:
            db.session.commit()  # the failure count and the audit event stay
            form.password.errors.append(error.message)
        else:
            if user.totp_secret:
                db.session.commit()
                session[PENDING_LOGIN_KEY] = {
                    "user": user.get_id(), "at": int(time.time()), "next": next_url,
                }
                return redirect(url_for("auth.login_code"))
            return _finish_login(user, next_url)
    return render_template("auth/login.html", form=form)


def _finish_login(user: User, next_url: str | None):
    setup_pending = services.needs_totp_setup(user)
    services.complete_login(user, note="second factor still to set up" if setup_pending else None)
    db.session.commit()
    sessions.start(user)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    if setup_pending:
        return redirect(url_for("auth.totp_setup"))
    return redirect(next_url or url_for("main.index"))


def _pending_user() -> User | None:
    """The user who gave the right password in the last few minutes, if any."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LOGIN_MAX_AGE:
        return None
    return sessions.load_user(str(pending.get("user", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@limits.throttle_code_form
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            services.check_totp_code(user, form.code.data)
        except ValidationError as error:
            db.session.commit()
            form.code.errors.append(error.message)
        else:
            return _finish_login(user, safe_next_url(session[PENDING_LOGIN_KEY].get("next")))
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.log_out(current_user._get_current_object())
    db.session.commit()
    sessions.end()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user,
                           totp_required=services.totp_required(current_user))


@bp.route("/totp", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Set up the second factor: scan the code, then type a code to prove it works."""
    if current_user.totp_secret:
        flash(_("Two-factor authentication is already set up."), "info")
        return redirect(url_for("auth.account"))
    secret = session.get(TOTP_SETUP_KEY) or services.new_totp_secret()
    session[TOTP_SETUP_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            services.confirm_totp(current_user, secret, form.code.data)
        except ValidationError as error:
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            session.pop(TOTP_SETUP_KEY, None)
            flash(_("Two-factor authentication is on: each login will ask for a code."), "success")
            return redirect(url_for("main.index"))
    uri = services.totp_uri(current_user, secret)
    return render_template("auth/totp_setup.html", form=form, secret=secret, uri=uri,
                           qr_svg=qr.svg(uri), required=services.totp_required(current_user))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, current_password=form.current_password.data,
                                     new_password=form.password.data)
        except ValidationError as error:
            db.session.commit()  # a wrong current password counts as a failed login
            getattr(form, error.field, form.password).errors.append(error.message)
        else:
            db.session.commit()
            sessions.start(user)  # this session goes on under the new version
            flash(_("Your password is changed; your other sessions are logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        abort(404)
    form = AcceptInvitationForm(name=invitation.name)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                invitation, name=form.name.data, password=form.password.data
            )
        except ValidationError as error:
            db.session.rollback()
            getattr(form, error.field, form.password).errors.append(error.message)
        else:
            db.session.commit()
            sessions.start(user)
            flash(_("Your account is ready."), "success")
            if services.needs_totp_setup(user):
                return redirect(url_for("auth.totp_setup"))
            return redirect(url_for("main.index"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
