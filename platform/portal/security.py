"""Web hardening applied to every response, and the settings the app refuses to start with.

Three things, all registered by :func:`init_app`:

- **Start-up checks.** Outside development and tests the application refuses
  to start with a missing, known-default or short ``SECRET_KEY`` (it signs the
  session, hence every login and CSRF token), with debug mode on (the
  Werkzeug debugger runs arbitrary code for whoever reaches it), without a
  ``DATABASE_URL``, or with login rate limits counted in process memory
  (each worker would count apart: production keeps them in Redis, ``REDIS_URL``).
- **Behind a reverse proxy** (``PROXY_COUNT`` > 0) the client's address,
  scheme and host come from that many proxies' ``X-Forwarded-*`` headers.
- **Response headers.** A strict Content-Security-Policy (no inline script or
  style anywhere: the templates carry none, and a test keeps it so), no MIME
  sniffing, no framing, a same-origin referrer, HSTS in production; and
  ``Cache-Control: no-store`` on every page, because pages show a State's
  sensitive needs and the session cookie rides on them. Only static files
  may be cached.
- **Request screening.** Form fields and query parameters with NUL or other
  control characters are refused with 400 before any view runs: no form
  legitimately sends them, PostgreSQL cannot store NUL in text, and they are
  a favourite of injection payloads. An id in the address beyond what the
  database's integer columns hold answers 404 instead of a database error.
"""

from __future__ import annotations

import re

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

#: Values that have been published as examples or defaults: never a real key.
KNOWN_DEFAULT_KEYS = frozenset({
    "dev", "development", "devkey", "dev-key", "secret", "secret-key", "secret_key", "secretkey",
    "changeme", "change-me", "change_me", "changeit", "please-change-me", "default", "key",
    "password", "test", "testing", "testing-secret-key", "your-secret-key", "your_secret_key",
    "mysecret", "supersecret", "super-secret", "flask", "capacity-match", "none", "null",
})
MIN_SECRET_KEY_LENGTH = 32
#: A key of 32+ characters drawn from fewer distinct characters than this is a pattern, not a secret.
MIN_SECRET_KEY_DISTINCT = 8
#: Environments where a weak key is acceptable (a local machine, the test suite).
RELAXED_ENVIRONMENTS = frozenset({"development", "testing"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
#: Static files have no version in their name: cache them for an hour, then revalidate.
STATIC_MAX_AGE = 3600

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

#: The largest value of an INTEGER primary key on PostgreSQL (SQLite's is larger).
MAX_DATABASE_ID = 2**31 - 1

# C0 controls but tab, newline and carriage return, and DEL.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def init_app(app: Flask) -> None:
    """Trust the configured proxies, register the request and response hooks.

    ``check_settings`` runs earlier, from ``create_app``, before any extension
    reads the settings it checks.
    """
    trust_proxies(app)
    app.before_request(refuse_control_characters)
    app.before_request(refuse_out_of_range_ids)
    app.after_request(set_security_headers)


# --- Start-up ----------------------------------------------------------------------------


def secret_key_problem(key: object) -> str | None:
    """Why ``key`` must not sign production sessions, or None if it may."""
    if not key:
        return "SECRET_KEY is not set"
    if not isinstance(key, str | bytes):
        return "SECRET_KEY must be a string"
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    if text.strip().lower() in KNOWN_DEFAULT_KEYS:
        return "SECRET_KEY is a well-known default value"
    if len(text) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(text)) < MIN_SECRET_KEY_DISTINCT:
        return "SECRET_KEY is a repeated pattern, not a random value"
    return None


def check_settings(app: Flask) -> None:
    """Refuse to start outside development and tests with unsafe settings.

    Raises RuntimeError naming the setting and how to fix it, so a
    misconfigured deployment fails at boot instead of serving forgeable
    sessions or an interactive debugger.
    """
    env = app.config.get("ENV_NAME")
    if env in RELAXED_ENVIRONMENTS:
        return
    problem = secret_key_problem(app.config.get("SECRET_KEY"))
    if problem:
        raise RuntimeError(
            f"{problem}: refusing to start in the {env!r} environment. Set SECRET_KEY in the "
            "environment to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, for example the output of "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if app.debug or app.config.get("DEBUG"):
        raise RuntimeError(
            f"debug mode is on: refusing to start in the {env!r} environment "
            "(unset FLASK_DEBUG and do not pass --debug)"
        )
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError(
            f"DATABASE_URL is not set: refusing to start in the {env!r} environment. Set it to "
            "the PostgreSQL database, for example postgresql://capacity_match@localhost/capacity_match"
        )
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if app.config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://"):
        raise RuntimeError(
            f"the login rate limits would be counted in process memory: refusing to start in the "
            f"{env!r} environment, where several processes serve the site and each would count "
            "apart. Set REDIS_URL, for example redis://127.0.0.1:6379/0"
        )


def trust_proxies(app: Flask) -> None:
    """Take the client's address, scheme and host from ``PROXY_COUNT`` reverse proxies."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


# --- Requests and responses --------------------------------------------------------------


def refuse_control_characters() -> None:
    """400 for a query parameter or form field holding a control character."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if _CONTROL_CHARACTERS.search(name) or _CONTROL_CHARACTERS.search(value):
                abort(400, description=_("The request contains characters that no form sends."))


def refuse_out_of_range_ids() -> None:
    """404 for an ``<int:…>`` in the address that no row can have.

    Werkzeug's int converter takes any number of digits; PostgreSQL refuses
    to compare an INTEGER column with 2**31 or more (and SQLite with 2**63),
    which would surface as a 500. Such a record cannot exist: say so.
    """
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_DATABASE_ID:
            abort(404)


def set_security_headers(response: Response) -> Response:
    """Add the security headers; decide what may be cached."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("ENV_NAME") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint == "static" and response.status_code in (200, 304):
        # Nothing private is in app.css; a shared cache may keep it.
        response.cache_control.public = True
        response.cache_control.no_cache = None
        if response.cache_control.max_age is None:
            response.cache_control.max_age = STATIC_MAX_AGE
    else:
        # Every page may show a State's needs or carry the session cookie
        # (the login form itself sets one for its CSRF token): keep none of
        # them in the browser's or a proxy's cache.
        response.headers["Cache-Control"] = "no-store"
    return response
