"""Password hashing (argon2id, upgrades of old hashes) and the password policy."""

from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters
from werkzeug.security import generate_password_hash

from portal.auth import passwords
from portal.config import Config, DevelopmentConfig
from tests.fixtures.portal import PASSWORD


def test_new_hashes_are_argon2id(app):
    password_hash = passwords.hash_password(PASSWORD)
    assert password_hash.startswith("$argon2id$")
    assert passwords.verify_password(password_hash, PASSWORD)
    assert not passwords.verify_password(password_hash, PASSWORD + "!")


@pytest.mark.parametrize("config", [Config, DevelopmentConfig])
def test_the_production_cost_meets_owasp(config):
    minimum = passwords.OWASP_MINIMUM
    assert config.ARGON2_MEMORY_COST >= minimum.memory_cost  # 19 MiB
    assert config.ARGON2_TIME_COST >= minimum.time_cost
    assert config.ARGON2_PARALLELISM >= minimum.parallelism


def test_a_hash_made_outside_the_testing_config_has_the_production_parameters():
    parameters = extract_parameters(passwords.hash_password(PASSWORD))  # no app: production
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2


@pytest.mark.parametrize("method", ["pbkdf2:sha256", "scrypt"])
def test_hashes_of_the_earlier_code_still_verify_and_need_a_rehash(app, method):
    old_hash = generate_password_hash(PASSWORD, method=method)
    assert passwords.verify_password(old_hash, PASSWORD)
    assert not passwords.verify_password(old_hash, "wrong password here")
    assert passwords.needs_rehash(old_hash)


def test_an_argon2_hash_with_a_lower_cost_needs_a_rehash(app):
    cheap = passwords.hash_password(PASSWORD)
    assert not passwords.needs_rehash(cheap)
    app.config["ARGON2_TIME_COST"] = 2
    assert passwords.needs_rehash(cheap)
    assert passwords.verify_password(cheap, PASSWORD)


@pytest.mark.parametrize("damaged", ["", None, "$argon2id$v=19$garbage", "md5$x$y"])
def test_a_damaged_or_missing_hash_never_verifies(app, damaged):
    assert not passwords.verify_password(damaged, PASSWORD)


@pytest.mark.parametrize("password, problem", [
    ("short pass", "at least 12 characters"),
    ("x" * 257, "at most 256 characters"),
    ("password1234", "most common passwords"),
    ("qwertyuiop123", "most common passwords"),
    ("PASSWORD1234", "most common passwords"),
    ("1234567890qwerty", "most common passwords"),
    ("aaaaaaaaaaaaaaaa", "most common passwords"),
    ("amina.odhiambo@example.org", "e-mail address or your name"),
    ("amina.odhiambo", "e-mail address or your name"),
    ("Amina Odhiambo Kenya", "e-mail address or your name"),
])
def test_the_policy_refuses(password, problem):
    found = passwords.password_problem(
        password, email="amina.odhiambo@example.org", name="Amina Odhiambo Kenya"
    )
    assert found is not None and problem in found


@pytest.mark.parametrize("password", [
    PASSWORD, "all lower case letters", "123456789012345678901234", "n0 c0mp0s1t10n rul3s",
])
def test_the_policy_has_no_composition_rules(password):
    assert passwords.password_problem(password, email="a@example.org", name="A") is None
