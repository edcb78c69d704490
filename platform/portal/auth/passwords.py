"""Password hashing and the password policy.

Hashes are argon2id (argon2-cffi). The cost comes from the configuration so
that tests can run with a cheap hash (``ARGON2_*`` settings);
:data:`PRODUCTION_COST` is what :class:`portal.config.Config` uses and exceeds the OWASP Password Storage
Cheat Sheet minimum for argon2id (19 MiB of memory, 2 iterations).

Hashes written by the earlier code (Werkzeug ``pbkdf2:`` or ``scrypt:``) are
still verified; :func:`needs_rehash` tells the login to replace them, and
argon2 hashes made with a lower cost, by an argon2 hash at today's cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from werkzeug.security import check_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase, short enough that hashing it costs nothing extra.
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class HashCost:
    """argon2id parameters: iterations, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int


#: RFC 9106 "low memory" profile (argon2-cffi's default): 3 passes over 64 MiB, 4 lanes.
PRODUCTION_COST = HashCost(time_cost=3, memory_cost=64 * 1024, parallelism=4)
#: The OWASP floor the production cost must stay above.
OWASP_MINIMUM = HashCost(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def current_cost() -> HashCost:
    """The cost set by the ``ARGON2_*`` settings, else production's."""
    if not has_app_context():
        return PRODUCTION_COST
    config = current_app.config
    return HashCost(
        time_cost=config.get("ARGON2_TIME_COST", PRODUCTION_COST.time_cost),
        memory_cost=config.get("ARGON2_MEMORY_COST", PRODUCTION_COST.memory_cost),
        parallelism=config.get("ARGON2_PARALLELISM", PRODUCTION_COST.parallelism),
    )


@cache
def _hasher(cost: HashCost) -> PasswordHasher:
    return PasswordHasher(
        time_cost=cost.time_cost, memory_cost=cost.memory_cost, parallelism=cost.parallelism,
        type=Type.ID,
    )


@cache
def _dummy_hash(cost: HashCost) -> str:
    return _hasher(cost).hash("an unused password, to spend the same time")


def hash_password(password: str) -> str:
    return _hasher(current_cost()).hash(password)


def is_argon2(password_hash: str) -> bool:
    return password_hash.startswith("$argon2")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; argon2 hashes and the older Werkzeug ones."""
    if not password_hash:
        return False
    if is_argon2(password_hash):
        try:
            return _hasher(current_cost()).verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:  # an unknown method in a damaged hash
        return False


def spend_verification_time(password: str) -> None:
    """Verify against a throw-away hash, so that an unknown e-mail takes as long
    to refuse as a wrong password (no user enumeration by timing)."""
    verify_password(_dummy_hash(current_cost()), password)


def needs_rehash(password_hash: str | None) -> bool:
    """True for a Werkzeug hash or an argon2 hash with other parameters than today's."""
    if not password_hash:
        return False
    if not is_argon2(password_hash):
        return True
    try:
        return _hasher(current_cost()).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# --- Policy -------------------------------------------------------------------

# zxcvbn's list of the 30,000 most frequent leaked passwords, lower case.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def _squeezed(text: str) -> str:
    return "".join(text.lower().split())


def is_common_password(password: str) -> bool:
    squeezed = _squeezed(password)
    return (
        password.lower() in COMMON_PASSWORDS
        or squeezed in COMMON_PASSWORDS
        or len(set(squeezed)) <= 2  # "aaaaaaaaaaaa", "abababababab"
    )


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """What is wrong with ``password`` as a new password, or None.

    NIST SP 800-63B rules: a minimum length, no composition rules, and no
    password that attackers try first (common ones, the account's own e-mail
    or name).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("must be at least %(min)s characters long", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("must be at most %(max)s characters long", max=MAX_PASSWORD_LENGTH)
    if is_common_password(password):
        return _("is one of the most common passwords, which attackers try first: choose another")
    squeezed = _squeezed(password)
    personal = set()
    if email:
        personal |= {_squeezed(email), _squeezed(email.split("@", 1)[0])}
    if name:
        personal.add(_squeezed(name))
    if squeezed in personal - {""}:
        return _("must not be your e-mail address or your name")
    return None
