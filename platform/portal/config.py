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
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///capacity_match.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "capacity-match@localhost")
    ITEMS_PER_PAGE = 20
    # The platform's public address, for links in e-mails sent outside a request.
    BASE_URL = os.environ.get("BASE_URL")
    INVITATION_MAX_AGE = timedelta(days=7)
    # Where the fitted matching engine is kept between processes.
    MATCHER_PATH = os.environ.get("MATCHER_PATH")


class DevelopmentConfig(Config):
    """The embedded default: a SQLite file in the instance folder."""

    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") and _database_url("") or None
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 during development
    MAIL_SUPPRESS_SEND = os.environ.get("MAIL_SERVER") is None


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    MAIL_SUPPRESS_SEND = True
    ITEMS_PER_PAGE = 5


CONFIGS = {
    "development": DevelopmentConfig,
    "production": Config,
    "testing": TestingConfig,
}
