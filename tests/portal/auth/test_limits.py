"""Flask-Limiter on the login: 429 per address and per account, in memory and in Redis."""

from __future__ import annotations

import random
import uuid

import pytest

from portal import create_app
from portal.config import TestingConfig
from portal.extensions import db as _db
from tests.fixtures.portal import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"


def attempt(client, email, address="10.0.0.1"):
    return client.post("/auth/login", data={"email": email, "password": "a wrong password"},
                       environ_base={"REMOTE_ADDR": address})


def check_per_address(client, address="10.0.0.1"):
    for n in range(3):
        assert attempt(client, f"someone{n}@example.org", address).status_code == 200
    response = attempt(client, "someone-else@example.org", address)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    # Another address is not affected, nor is showing the form.
    assert attempt(client, f"{uuid.uuid4().hex}@example.org", unique_address()).status_code == 200
    assert client.get("/auth/login", environ_base={"REMOTE_ADDR": address}).status_code == 200


def check_per_account(client, email):
    for _ in range(3):
        assert attempt(client, email, unique_address()).status_code == 200
    # The same account, spelt differently, from yet another address.
    address = unique_address()
    assert attempt(client, f"  {email.upper()} ", address).status_code == 429
    assert attempt(client, f"{uuid.uuid4().hex}@example.org", address).status_code == 200


@pytest.fixture
def tight_limits(app):
    app.config.update(LOGIN_LIMIT_PER_ADDRESS="3 per minute", LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    return app


def test_the_login_is_limited_per_address(tight_limits, client):
    check_per_address(client)


def test_the_login_is_limited_per_account(tight_limits, client):
    check_per_account(client, "amina@example.org")


def test_the_code_step_shares_the_address_budget(tight_limits, client, state_user):
    for _ in range(3):
        attempt(client, state_user.email)
    response = client.post("/auth/login/code", data={"code": "123456"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429


def test_a_right_password_is_also_counted(tight_limits, client, state_user):
    """The limit does not tell right from wrong: it only counts attempts."""
    for _ in range(3):
        attempt(client, state_user.email)
    response = client.post("/auth/login", data={"email": state_user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture
def redis_app(database_url):
    if not redis_available():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")

    class RedisConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = REDIS_URL
        LOGIN_LIMIT_PER_ADDRESS = "3 per minute"
        LOGIN_LIMIT_PER_ACCOUNT = "3 per minute"

    app = create_app(RedisConfig)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def unique_address() -> str:
    """Counters in Redis outlive the test: a fresh address and account each run."""
    return "10.{}.{}.{}".format(*(random.randrange(1, 255) for _ in range(3)))


def test_the_per_address_limit_holds_in_redis(redis_app):
    check_per_address(redis_app.test_client(), unique_address())


def test_the_per_account_limit_holds_in_redis(redis_app):
    check_per_account(redis_app.test_client(), f"{uuid.uuid4().hex}@example.org")


def test_the_counters_are_kept_in_redis(redis_app):
    """Where every process of the site sees them."""
    address = unique_address()
    attempt(redis_app.test_client(), f"{uuid.uuid4().hex}@example.org", address)
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{address}*")
    assert keys, "the per-address counter is kept in Redis"
