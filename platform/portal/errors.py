"""Error pages, and the domain error that services raise."""

from __future__ import annotations

from flask import Blueprint, render_template

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
    return _error_page(403, "Not allowed", "Your account does not give access to this page.")


@bp.app_errorhandler(404)
def not_found(error):
    return _error_page(404, "Not found", "There is no such page, or it is not yours to see.")


@bp.app_errorhandler(405)
def method_not_allowed(error):
    return _error_page(405, "Not allowed", "This address does not accept that kind of request.")


@bp.app_errorhandler(400)
def bad_request(error):
    return _error_page(400, "Bad request", getattr(error, "description", "") or "The request was not understood.")


@bp.app_errorhandler(500)
def internal_error(error):
    # Whatever the request had half-done must not leak into the next one.
    db.session.rollback()
    return _error_page(500, "Something went wrong", "The error has been logged. Please try again.")
