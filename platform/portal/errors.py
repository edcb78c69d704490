"""Error pages, and the domain error that services raise."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from portal.extensions import db

bp = Blueprint("errors", __name__)


class ValidationError(Exception):
    """A rule of the domain was broken by the data a user gave.

    ``field`` names the form field (or interchange field) at fault, so the
    view can show the message next to it.
    """

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _error_page(code: int, title: str, message: str):
    from portal.api.errors import error_response, is_api_request

    if is_api_request():  # an address under the API that matches no route: JSON too
        return error_response(code)
    return render_template("errors/error.html", code=code, title=title, message=message), code


@bp.app_errorhandler(403)
def forbidden(error):
    return _error_page(403, _("Not allowed"), _("Your account does not give access to this page."))


@bp.app_errorhandler(404)
def not_found(error):
    return _error_page(404, _("Not found"), _("There is no such page, or it is not yours to see."))


@bp.app_errorhandler(405)
def method_not_allowed(error):
    return _error_page(405, _("Not allowed"), _("This address does not accept that kind of request."))


@bp.app_errorhandler(400)
def bad_request(error):
    # Our own aborts carry a translated description; Werkzeug's and Flask-WTF's are English.
    if isinstance(error, CSRFError):
        # Translators: keep "CSRF", the name of the protection, as it is.
        message = _("The form could not be accepted: its security token (CSRF) is missing, expired "
                    "or not from this site. Go back, reload the page and try again.")
    elif getattr(error, "description", None) in (None, "", BadRequest.description):
        message = _("The request was not understood.")
    else:
        message = str(error.description)
    return _error_page(400, _("Bad request"), message)


@bp.app_errorhandler(500)
def internal_error(error):
    # Whatever the request had half-done must not leak into the next one.
    db.session.rollback()
    return _error_page(500, _("Something went wrong"), _("The error has been logged. Please try again."))
