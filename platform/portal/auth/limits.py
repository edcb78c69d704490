"""Throttling of the login forms with Flask-Limiter.

Two limits on each POST: per client address and per account, so that neither
one address trying many accounts nor many addresses trying one account get
far. Limits are read from the configuration at each request
(``LOGIN_LIMIT_PER_ADDRESS``, ``LOGIN_LIMIT_PER_ACCOUNT``); the counters live
in ``RATELIMIT_STORAGE_URI`` (Redis when ``REDIS_URL`` is set: memory is per
process). Behind a reverse proxy the client address is only right with
``werkzeug.middleware.proxy_fix.ProxyFix`` configured for that proxy.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.auth.services import normalise_email

limiter = Limiter(key_func=get_remote_address)

#: Where the second step of a login keeps the user waiting for a code.
PENDING_LOGIN_KEY = "pending_login"


def init_app(app: Flask) -> None:
    limiter.init_app(app)


def per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def address_key() -> str:
    return f"address:{get_remote_address()}"


def submitted_account_key() -> str:
    """The account named in the login form, normalised like the lookup."""
    return f"account:{normalise_email(request.form.get('email', ''))}"


def pending_account_key() -> str:
    """The account waiting for its second factor."""
    pending = session.get(PENDING_LOGIN_KEY) or {}
    return f"account-id:{str(pending.get('user', '')).split(':', 1)[0]}"


# One budget per address for the password and the code forms together.
_per_address = limiter.shared_limit(per_address, "login-address", key_func=address_key,
                                    methods=["POST"])


def throttle_login_form(view):
    """Both limits on the login form's POST."""
    view = _per_address(view)
    return limiter.limit(per_account, key_func=submitted_account_key, methods=["POST"])(view)


def throttle_code_form(view):
    """The same limits on the second factor's POST, by address and by pending user."""
    view = _per_address(view)
    return limiter.limit(per_account, key_func=pending_account_key, methods=["POST"])(view)
