"""The application refuses to start outside development with a weak SECRET_KEY or debug on."""

from __future__ import annotations

import pytest

from portal import create_app, security
from portal.config import Config, DevelopmentConfig, TestingConfig

GOOD_KEY = "3f9c1e0b7a5d4c2e8f6a1b3c5d7e9f0a2b4c6d8e"


def production_config(**settings) -> type[Config]:
    """The production configuration with a harmless database and ``settings`` on top.

    The Redis storage of the limits is only named: nothing here posts a login form.
    """
    attributes = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": GOOD_KEY,
                  "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    attributes.update(settings)
    return type("Production", (Config,), attributes)


def test_production_starts_with_a_strong_key():
    app = create_app(production_config())
    assert app.config["ENV_NAME"] == "production"


@pytest.mark.parametrize("key, message", [
    (None, "SECRET_KEY is not set"),
    ("", "SECRET_KEY is not set"),
    ("dev", "SECRET_KEY"),
    ("changeme", "well-known default"),
    ("testing-secret-key", "well-known default"),
    ("CHANGEME", "well-known default"),
    ("short-but-random-7f3a", "shorter than 32 characters"),
    ("x" * 31, "shorter than 32 characters"),
    ("ab" * 40, "repeated pattern"),
])
def test_production_refuses_a_missing_or_weak_key(key, message):
    with pytest.raises(RuntimeError, match=message):
        create_app(production_config(SECRET_KEY=key))


def test_the_message_says_how_to_fix_it():
    with pytest.raises(RuntimeError) as caught:
        create_app(production_config(SECRET_KEY="changeme"))
    assert "secrets.token_hex(32)" in str(caught.value)
    assert "production" in str(caught.value)


def test_production_refuses_debug_mode():
    with pytest.raises(RuntimeError, match="debug"):
        create_app(production_config(DEBUG=True))


def test_production_refuses_flask_debug_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app(production_config())


def test_an_unknown_environment_is_treated_as_production():
    with pytest.raises(RuntimeError, match="staging"):
        create_app(production_config(ENV_NAME="staging", SECRET_KEY="dev"))


def test_capacity_match_env_production_refuses_the_default_key(monkeypatch):
    monkeypatch.setenv("CAPACITY_MATCH_ENV", "production")
    monkeypatch.setattr(Config, "SECRET_KEY", "changeme")
    monkeypatch.setattr(Config, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    with pytest.raises(RuntimeError, match="well-known default"):
        create_app()


def test_tests_may_use_their_fixed_key():
    assert create_app(TestingConfig).config["SECRET_KEY"] == "testing-secret-key"


def test_development_is_not_checked(tmp_path, monkeypatch):
    config = type("Dev", (DevelopmentConfig,), {"SECRET_KEY": "dev", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert create_app(config).config["SECRET_KEY"] == "dev"


@pytest.mark.parametrize("key", [GOOD_KEY, GOOD_KEY.encode()])
def test_secret_key_problem_accepts_random_keys(key):
    assert security.secret_key_problem(key) is None


def test_production_refuses_to_start_without_a_database():
    with pytest.raises(RuntimeError, match="DATABASE_URL is not set"):
        create_app(production_config(SQLALCHEMY_DATABASE_URI=None))


def test_capacity_match_env_production_needs_database_url(monkeypatch):
    monkeypatch.setenv("CAPACITY_MATCH_ENV", "production")
    monkeypatch.setattr(Config, "SECRET_KEY", GOOD_KEY)
    monkeypatch.setattr(Config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr(Config, "SQLALCHEMY_DATABASE_URI", None)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app()


def test_production_refuses_rate_limits_counted_in_process_memory():
    """Each gunicorn worker would count apart: an attacker gets workers × the limit."""
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app(production_config(RATELIMIT_STORAGE_URI="memory://"))


def test_behind_a_proxy_the_client_address_and_scheme_come_from_it():
    from flask import request

    app = create_app(production_config(PROXY_COUNT=1))
    app.add_url_rule("/__whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    response = app.test_client().get("/__whoami", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "203.0.113.7 https"


def test_without_a_proxy_forwarded_headers_are_ignored():
    from flask import request

    app = create_app(production_config())
    app.add_url_rule("/__whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    response = app.test_client().get("/__whoami", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "127.0.0.1 http"
