"""Bearer-token authentication and rate limits of the JSON API.

The API reads no cookie (see :class:`ApiSessionInterface`): a browser's
session cannot call it, which is why its routes need no CSRF token. Each
request must carry ``Authorization: Bearer <token>``; the token stands for
its user, with exactly that user's rights.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from flask_smorest import abort

from portal.api import services
from portal.api.errors import API_PREFIX, is_api_request
from portal.auth.limits import limiter
from portal.auth.models import User


class ApiSessionInterface(SecureCookieSessionInterface):
    """Cookie sessions everywhere but the API, which neither reads nor sets one."""

    def open_session(self, app: Flask, request):
        if request.path.startswith(API_PREFIX):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if request.path.startswith(API_PREFIX):
            return None
        return super().save_session(app, session, response)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def require_token() -> None:
    """``before_request`` of every API blueprint: 401 without a valid token."""
    token = bearer_token()
    user = services.user_for_token(token) if token else None
    if user is None:
        abort(401)
    g.api_user = user


def api_user() -> User:
    return g.api_user


# --- Rate limits --------------------------------------------------------------------------


def _token_key() -> str:
    token = bearer_token() or ""
    return "api-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _address_key() -> str:
    return f"api-address:{get_remote_address()}"


def limit_blueprint(blueprint) -> None:
    """Per token (``API_RATE_LIMIT``) and per client address (``API_RATE_LIMIT_PER_ADDRESS``),
    counted in the login limits' storage (Redis when ``REDIS_URL`` is set)."""
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_token_key,
                  scope="api-token")(blueprint)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT_PER_ADDRESS"], key_func=_address_key,
                  scope="api-address")(blueprint)


__all__ = ["ApiSessionInterface", "api_user", "is_api_request", "limit_blueprint", "require_token"]
