"""Session lifetime and identity: what a session cookie must carry to be honoured.

A session names its user with ``User.get_id()`` (id and session version),
so bumping the version (logout, deactivation, password change) refuses every
cookie issued before, including a captured one. It also carries the time of
the login and of the last request: it ends after ``SESSION_IDLE_TIMEOUT``
without a request and ``SESSION_ABSOLUTE_TIMEOUT`` after the login.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, session
from flask_login import login_user, logout_user

from portal import i18n
from portal.auth.models import User
from portal.extensions import db

LOGGED_IN_AT = "auth_at"
SEEN_AT = "seen_at"
# Writing the cookie back at every request is wasteful: a minute of slack is enough.
SEEN_AT_RESOLUTION = 60


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: refuse stale versions and deactivated users."""
    id_part, _, version = user_id.partition(":")
    if not id_part.isdigit() or not version.isdigit():
        return None  # also the bare ids of sessions opened before versions existed
    user = db.session.get(User, int(id_part))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def start(user: User) -> None:
    """Log ``user`` in on a fresh session (nothing from before the login survives
    but the language the visitor chose: a checked preference, not a credential)."""
    language = _chosen_language()
    session.clear()
    if language:
        session[i18n.SESSION_KEY] = language
    login_user(user)
    session.permanent = True  # the cookie itself expires with the absolute limit
    now = int(time.time())
    session[LOGGED_IN_AT] = now
    session[SEEN_AT] = now


def end() -> None:
    language = _chosen_language()
    logout_user()
    session.clear()
    if language:
        session[i18n.SESSION_KEY] = language


def _chosen_language() -> str | None:
    language = session.get(i18n.SESSION_KEY)
    return language if language in i18n.LANGUAGES else None


def expired(now: float | None = None) -> bool:
    """Whether the logged-in session is past its idle or absolute limit."""
    now = time.time() if now is None else now
    logged_in_at, seen_at = session.get(LOGGED_IN_AT), session.get(SEEN_AT)
    if not isinstance(logged_in_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    return (now - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds()
            or now - logged_in_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds())


def touch(now: float | None = None) -> None:
    now = int(time.time() if now is None else now)
    if now - session.get(SEEN_AT, 0) >= SEEN_AT_RESOLUTION:
        session[SEEN_AT] = now


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never a redirect to another host."""
    if not target:
        return None
    # Browsers drop tabs and newlines and treat "\" as "/": "/\t/evil.com" is "//evil.com".
    if any(ord(char) < 0x21 or char in "\\\x7f" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
