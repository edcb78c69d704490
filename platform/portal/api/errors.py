"""Every error of the API is the same JSON object (``schemas.ErrorSchema``).

The handlers are registered on each API blueprint for every HTTP error code,
so they win over the HTML error pages of ``portal.errors`` (Flask prefers a
blueprint's handler for a code to the application's); ``portal.errors`` asks
:func:`is_api_request` for addresses under the API that match no route.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from portal.extensions import db

API_PREFIX = "/api/v1/"

MESSAGES = {
    400: "The request was not understood.",
    401: "A valid API token is required: send it as 'Authorization: Bearer <token>'.",
    403: "Your account does not allow this.",
    404: "There is no such record, or it is not yours to see.",
    405: "This address does not accept that method.",
    409: "The record changed or is in a state that does not allow this; read it again and retry.",
    413: "The request is too large.",
    415: "Send JSON (Content-Type: application/json).",
    422: "Some fields are wrong: see errors.",
    429: "Too many requests: slow down and retry after the time given in Retry-After.",
    500: "Something went wrong on our side; it has been logged.",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(code: int, message: str | None = None, errors: dict | None = None,
                   headers: dict | None = None) -> Response:
    status = HTTP_STATUS_CODES.get(code, "Error")
    body = {"code": code, "status": status, "message": message or MESSAGES.get(code, status)}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="capacity-match"'
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """An ``abort()`` anywhere in an API request, webargs' 422, Flask-Limiter's 429, a 500."""
    code = error.code or 500
    if code >= 500:
        db.session.rollback()  # nothing half-done survives into the next request
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message")
    if message is None and code not in MESSAGES and error.description:
        message = error.description
    headers = dict(data.get("headers") or {})
    if code == 429:
        # Flask-Limiter adds Retry-After and the X-RateLimit headers to the response.
        message = MESSAGES[429]
    if code == 405 and isinstance(error, HTTPException):
        allowed = error.get_headers()
        headers.update({k: v for k, v in allowed if k == "Allow"})
    return error_response(code, message, errors, headers)


def register(blueprint: Blueprint) -> None:
    for code in default_exceptions:
        if code >= 400:
            blueprint.register_error_handler(code, handle_http_exception)
    blueprint.register_error_handler(InternalServerError, handle_http_exception)
