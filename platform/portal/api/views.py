"""Pages of the API: the user's tokens, and the API's documentation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.api import services
from portal.api.forms import NewTokenForm, RevokeTokenForm
from portal.api.models import ApiToken
from portal.errors import ValidationError
from portal.extensions import db
from portal.views import commit_step, show_error_on_form

bp = Blueprint("api", __name__)


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List the user's tokens; create one (its clear value is shown once, on this response)."""
    form = NewTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            _, created = services.create_token(current_user, form.name.data)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            show_error_on_form(form, error)
        else:
            form = NewTokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, created=created,
                           tokens=services.tokens_of(current_user), revoke_form=RevokeTokenForm())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        commit_step(lambda: services.revoke_token(token, current_user), _("The token is revoked."))
    return redirect(url_for("api.tokens"))


def _operations(spec: dict) -> list[dict]:
    methods = ("get", "post", "put", "patch", "delete")
    rows = []
    for path, item in spec.get("paths", {}).items():
        for method in methods:
            if method in item:
                operation = item[method]
                rows.append({"method": method.upper(), "path": path,
                             "summary": operation.get("summary", ""),
                             "description": operation.get("description", ""),
                             "responses": sorted(operation.get("responses", {}))})
    return rows


@bp.route("/v1/docs")
def docs():
    """The endpoints, read from the OpenAPI document the code generates (no script, no CDN)."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    return render_template("api/docs.html", operations=_operations(spec), info=spec.get("info", {}))
