"""Configuration classes; every setting can come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Production-safe defaults; development and tests override a few."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Required in production (the application refuses to start without it).
    SQLALCHEMY_DATABASE_URI = _database_url("") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    # Sessions: a logged-in session ends after SESSION_IDLE_TIMEOUT without a
    # request and SESSION_ABSOLUTE_TIMEOUT after the login, whatever happens.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    # "__Host-": the browser only accepts it Secure, for this exact host and path /.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # There is no "remember me": these only matter if it ever comes back.
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Passwords: argon2id cost (see portal.auth.passwords.PRODUCTION_COST).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024  # KiB
    ARGON2_PARALLELISM = 4
    # Login throttling: Flask-Limiter on the login and code forms, per client
    # address and per account; then a lockout after LOCKOUT_THRESHOLD
    # consecutive failures. Memory storage is per process: use Redis when
    # more than one process serves the site.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = bool(os.environ.get("REDIS_URL"))
    RATELIMIT_HEADERS_ENABLED = True
    # Several sites (or a staging copy) may share one Redis: their counters must not mix.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "capacity-match")
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "20 per 15 minutes"
    # A PDF costs a second or more of CPU: anonymous readers get a few a minute.
    PUBLIC_PDF_LIMIT = "6 per minute"
    LOCKOUT_THRESHOLD = 20
    LOCKOUT_DURATION = timedelta(minutes=15)
    # Coordinators and administrators must use a TOTP second factor.
    REQUIRE_TOTP_FOR_STAFF = True
    TOTP_ISSUER = "Capacity Match"
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "capacity-match@localhost")
    ITEMS_PER_PAGE = 20
    # The JSON API: requests per token, and per client address whatever the token
    # (so that trying many tokens from one address gets nowhere either).
    API_RATE_LIMIT = "300 per minute"
    API_RATE_LIMIT_PER_ADDRESS = "1200 per minute"
    # The platform's public address, for links in e-mails sent outside a request.
    BASE_URL = os.environ.get("BASE_URL")
    INVITATION_MAX_AGE = timedelta(days=7)
    # Where the fitted matching engine is kept between processes.
    MATCHER_PATH = os.environ.get("MATCHER_PATH")
    # How many reverse proxies stand in front of the application (nginx: 1).
    # Their X-Forwarded-For/-Proto/-Host are then trusted (werkzeug's ProxyFix),
    # so the login limits count the client's address, not the proxy's, and
    # redirects keep https. 0 trusts no such header: never set it higher than
    # the real number of proxies, or clients could forge their address.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))


class DevelopmentConfig(Config):
    """The embedded default: a SQLite file in the instance folder."""

    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url("") or None
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 during development
    SESSION_COOKIE_NAME = "session"  # "__Host-" cookies need https
    REMEMBER_COOKIE_SECURE = False
    MAIL_SUPPRESS_SEND = os.environ.get("MAIL_SERVER") is None


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    REMEMBER_COOKIE_SECURE = False
    # A cheap hash keeps the suite fast; tests check the production cost apart.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8  # KiB, argon2's minimum
    ARGON2_PARALLELISM = 1
    # Limits high enough for any test; tests of the limiter lower them.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = False
    LOGIN_LIMIT_PER_ADDRESS = "10000 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "10000 per minute"
    PUBLIC_PDF_LIMIT = "10000 per minute"
    API_RATE_LIMIT = "100000 per minute"
    API_RATE_LIMIT_PER_ADDRESS = "100000 per minute"

    MAIL_SUPPRESS_SEND = True
    ITEMS_PER_PAGE = 5


CONFIGS = {
    "development": DevelopmentConfig,
    "production": Config,
    "testing": TestingConfig,
}
