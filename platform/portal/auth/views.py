from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import services
from portal.auth.forms import AcceptInvitationForm, LoginForm
from portal.auth.models import User
from portal.errors import ValidationError
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never a redirect to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("Unknown e-mail or wrong password.")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


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
            getattr(form, error.field, form.password).errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash("Your account is ready.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
