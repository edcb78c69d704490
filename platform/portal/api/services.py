"""API tokens: create, revoke, and find the user behind a bearer token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from portal.api.models import ApiToken
from portal.audit import services as audit
from portal.auth.models import User
from portal.database import utcnow
from portal.errors import ValidationError
from portal.extensions import db

#: Every token starts with this, so secret scanners and people can recognise one.
TOKEN_PREFIX = "cm_"
MAX_NAME_LENGTH = 100
#: How many tokens a user may hold at once (revoked ones do not count).
MAX_ACTIVE_TOKENS = 20
#: ``last_used_at`` is written at most this often per token, not at every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())))


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the clear token, shown only once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "give the token a name, to recognise it later")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", f"the name is longer than {MAX_NAME_LENGTH} characters")
    active = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError("name", f"you already have {MAX_ACTIVE_TOKENS} tokens: revoke one first")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(clear), prefix=clear[:10])
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, actor=user, after={"name": name, "prefix": token.prefix})
    return token, clear


def revoke_token(token: ApiToken, user: User) -> None:
    """Revoke one of the user's own tokens (for good: a revoked token never works again)."""
    if token.user_id != user.id:
        raise ValidationError("token", "only its owner may revoke a token")
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record("api_token.revoked", token, actor=user, after={"name": token.name, "prefix": token.prefix})


def user_for_token(clear: str) -> User | None:
    """The active user behind an active token, or None; notes when the token was used."""
    if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(clear)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user
