"""Accounts: authentication, users and invitations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_mail import Message

from matching import COUNTRY_REGION
from portal.audit import services as audit
from portal.auth import passwords
from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.database import utcnow
from portal.errors import ValidationError
from portal.extensions import db, mail
from portal.urls import external_url


def N_(message: str) -> str:
    """Mark a constant for extraction; gettext translates it where it is used."""
    return message


#: One message for an unknown e-mail, a wrong password and a deactivated
#: account, so that the login form does not tell which accounts exist.
# Marked for extraction, translated where raised (gettext_noop): tests compare them in English.
WRONG_CREDENTIALS = N_("Unknown e-mail or wrong password.")
ACCOUNT_LOCKED = N_("Too many failed attempts: this account is locked for a while. "
                  "Try again later, or ask the secretariat.")
WRONG_CODE = N_("Wrong or expired code: enter the 6 digits your authenticator app shows now.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """The password policy, for every new password (invitation, CLI, change).

    At least 12 characters, no composition rules, not a common password and
    not the account's e-mail or name.
    """
    problem = passwords.password_problem(password, email=email, name=name)
    if problem:
        raise ValidationError("password", problem)


# --- Logging in -----------------------------------------------------------------


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failed_login(user: User, note: str) -> None:
    """Count a failure on the account; the LOCKOUT_THRESHOLD-th in a row locks it."""
    user.failed_login_count = User.failed_login_count + 1  # atomic in SQL
    audit.record("auth.login_failed", user, actor=None, note=note)
    db.session.flush()
    config = current_app.config
    if user.failed_login_count >= config["LOCKOUT_THRESHOLD"]:
        user.locked_until = utcnow() + config["LOCKOUT_DURATION"]
        user.failed_login_count = 0  # after the lock, another full series is needed
        audit.record("auth.locked", user, actor=None,
                     note=f"{config['LOCKOUT_THRESHOLD']} failed attempts in a row; "
                          f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC")
        db.session.flush()


def check_credentials(email: str, password: str) -> User:
    """The first step of a login: the user whose password this is.

    Raises ``ValidationError("password", ...)`` with a generic message for an
    unknown e-mail, a wrong password, a deactivated or a locked account (a
    locked account is refused even with the right password). Failures are
    counted and audited; the caller commits either way. A hash made by the
    older code or with a lower cost is replaced by one at today's cost.
    """
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        passwords.spend_verification_time(password)
        audit.record("auth.login_failed", None, actor=None, subject_type="user",
                     note=f"unknown e-mail: {email[:254]}")
        db.session.flush()
        raise ValidationError("password", _(WRONG_CREDENTIALS))
    if is_locked(user):
        audit.record("auth.login_failed", user, actor=None, note="account locked")
        db.session.flush()
        raise ValidationError("password", _(ACCOUNT_LOCKED))
    if not user.check_password(password):
        record_failed_login(user, "wrong password")
        raise ValidationError("password", _(WRONG_CREDENTIALS))
    if not user.active:
        record_failed_login(user, "deactivated account")
        raise ValidationError("password", _(WRONG_CREDENTIALS))
    if passwords.needs_rehash(user.password_hash):
        user.set_password(password)
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active, unlocked user with this e-mail and password, or None.

    Only the password step (no second factor, no session): for scripts and
    tests. The login form uses :func:`check_credentials` and :func:`complete_login`.
    """
    try:
        return check_credentials(email, password)
    except ValidationError:
        return None


def complete_login(user: User, *, note: str | None = None) -> None:
    """Every factor passed: clear the failure count and audit the login."""
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record("auth.login_succeeded", user, actor=user, note=note)
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every session of ``user``: their cookies carry the old version."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def log_out(user: User) -> None:
    end_sessions(user)
    audit.record("auth.logout", user, actor=user)
    db.session.flush()


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one; other sessions end.

    A wrong current password counts as a failed login (a stolen session must
    not become a free password-guessing oracle).
    """
    if is_locked(user):
        raise ValidationError("current_password", _(ACCOUNT_LOCKED))
    if not user.check_password(current_password):
        record_failed_login(user, "wrong current password when changing it")
        raise ValidationError("current_password", _("is not your current password"))
    if new_password == current_password:
        raise ValidationError("password", _("must differ from the current password"))
    check_password_rules(new_password, email=user.email, name=user.name)
    user.set_password(new_password)
    end_sessions(user)
    audit.record("auth.password_changed", user, actor=user)
    db.session.flush()


# --- Second factor (TOTP, RFC 6238) -------------------------------------------------


def totp_required(user: User) -> bool:
    """Whether ``user`` must have a second factor before using the platform."""
    return bool(current_app.config.get("REQUIRE_TOTP_FOR_STAFF")) and user.needs_totp


def needs_totp_setup(user: User) -> bool:
    return totp_required(user) and not user.totp_secret


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config.get("TOTP_ISSUER", "Capacity Match")
    )


def totp_matches(secret: str | None, code: str | None) -> bool:
    """The 6-digit code of now, or of the 30 seconds before or after (clock drift)."""
    code = "".join((code or "").split())
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def check_totp_code(user: User, code: str) -> None:
    """The second step of a login; failures count towards the lockout."""
    if is_locked(user) or not user.active:
        audit.record("auth.login_failed", user, actor=None,
                     note="account locked" if user.active else "deactivated account")
        db.session.flush()
        raise ValidationError("code", _(ACCOUNT_LOCKED if user.active else WRONG_CREDENTIALS))
    if not totp_matches(user.totp_secret, code):
        record_failed_login(user, "wrong TOTP code")
        raise ValidationError("code", _(WRONG_CODE))


def _check_totp_secret(secret: str) -> str:
    secret = "".join(secret.split()).upper()
    try:
        if len(pyotp.TOTP(secret).byte_secret()) < 16:
            raise ValueError
    except (ValueError, TypeError) as error:
        raise ValidationError("secret", _("must be a base32 secret of at least 128 bits")) from error
    return secret


def enable_totp(user: User, secret: str) -> None:
    """Store ``secret`` as the user's second factor (setup page, demo, tests)."""
    user.totp_secret = _check_totp_secret(secret)
    audit.record("auth.totp_enabled", user, actor=user)
    db.session.flush()


def confirm_totp(user: User, secret: str, code: str) -> None:
    """Enable TOTP once the user proves their app computes the same codes."""
    if not totp_matches(secret, code):
        raise ValidationError("code", _("does not match: check that the phone's clock is right "
                                      "and enter the code the app shows now"))
    enable_totp(user, secret)


def disable_totp(user: User) -> None:
    """Forget the second factor (a lost phone); staff must set it up again."""
    user.totp_secret = None
    end_sessions(user)
    audit.record("auth.totp_disabled", user, actor=None)
    db.session.flush()


#: Organisation and user names share the column length.
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class OrganisationInfo:
    name: str
    kind: OrganisationKind
    country: str | None = None


def create_organisation(info: OrganisationInfo) -> Organisation:
    name = info.name.strip()
    if not name:
        raise ValidationError("name", _("is required"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", _("must be at most %(max)s characters long", max=MAX_NAME_LENGTH))
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
        raise ValidationError("name", _("another organisation already has this name"))
    kind = OrganisationKind(info.kind)
    if kind == OrganisationKind.REQUESTING_STATE and not info.country:
        raise ValidationError("country", _("a requesting State needs its country"))
    if info.country and info.country not in COUNTRY_REGION:
        raise ValidationError("country", _("unknown ISO 3166-1 alpha-3 code %(code)s", code=repr(info.country)))
    organisation = Organisation(name=name, kind=kind, country=info.country or None)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _check_new_user(email: str, role: Role, organisation: Organisation) -> None:
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationError("email", _("an account with this e-mail already exists"))
    if role in (Role.COORDINATOR, Role.ADMIN) and organisation.kind != OrganisationKind.SECRETARIAT:
        raise ValidationError("role", _("coordinators and administrators belong to the secretariat"))
    if role == Role.FOCAL_POINT and organisation.kind == OrganisationKind.SECRETARIAT:
        raise ValidationError("role", _("the secretariat has coordinators, not focal points"))


def create_user(
    *, email: str, name: str, password: str, role: Role, organisation: Organisation
) -> User:
    email = normalise_email(email)
    _check_new_user(email, Role(role), organisation)
    check_password_rules(password, email=email, name=name)
    user = User(email=email, name=name.strip(), role=Role(role), organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_user(
    *, email: str, name: str, role: Role, organisation: Organisation,
    invited_by: User | None, valid_for: timedelta,
) -> tuple[Invitation, str]:
    """Create an invitation; return it with the clear token to send by e-mail."""
    email = normalise_email(email)
    _check_new_user(email, Role(role), organisation)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=_hash_token(token), email=email, name=name.strip(), role=Role(role),
        organisation=organisation, invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + valid_for,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def find_open_invitation(token: str) -> Invitation | None:
    """The invitation for ``token`` if it is unused and unexpired."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, *, name: str, password: str) -> User:
    check_password_rules(password, email=invitation.email, name=name or invitation.name)
    # Mark it used in the same statement that checks it is unused, so two
    # concurrent acceptances cannot both succeed.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if not claimed:
        raise ValidationError("token", _("this invitation has already been used"))
    return create_user(
        email=invitation.email, name=name or invitation.name, password=password,
        role=invitation.role, organisation=invitation.organisation,
    )


# --- Administration helpers -------------------------------------------------


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name.strip()))


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def organisations_page(page: int, per_page: int):
    """One page of organisations by name, and how many users each has.

    Returns ``(pagination, user_counts)`` where ``user_counts`` maps an
    organisation id to its number of users (active or not).
    """
    pagination = db.paginate(
        sa.select(Organisation).order_by(Organisation.name), page=page, per_page=per_page,
        error_out=False,
    )
    ids = [organisation.id for organisation in pagination.items]
    counts = dict(
        db.session.execute(
            sa.select(User.organisation_id, sa.func.count(User.id))
            .where(User.organisation_id.in_(ids))
            .group_by(User.organisation_id)
        ).all()
    ) if ids else {}
    return pagination, {i: counts.get(i, 0) for i in ids}


def organisation_users(organisation: Organisation) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.organisation_id == organisation.id).order_by(User.name, User.email)
    ))


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations of ``organisation`` that can still be accepted."""
    return list(db.session.scalars(
        sa.select(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at >= utcnow(),
        )
        .order_by(Invitation.created_at)
    ))


def list_users(organisation: Organisation | None = None) -> list[User]:
    query = sa.select(User).join(User.organisation).order_by(Organisation.name, User.email)
    if organisation is not None:
        query = query.where(User.organisation_id == organisation.id)
    return list(db.session.scalars(query))


def deactivate_user(user: User, *, acting: User | None = None) -> None:
    """Stop ``user`` from logging in; their records stay.

    An administrator cannot lock themselves out, and the last active
    administrator cannot be deactivated (nobody could then reactivate anyone).
    """
    if acting is not None and acting.id == user.id:
        raise ValidationError("user", _("you cannot deactivate your own account"))
    if user.role == Role.ADMIN and user.active:
        other_admins = db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        if not other_admins:
            raise ValidationError("user", _("the last active administrator cannot be deactivated"))
    user.active = False
    end_sessions(user)  # their open sessions end now, not at their next login
    db.session.flush()


def unlock_user(user: User) -> None:
    """End a lockout early (the owner proved who they are some other way)."""
    user.failed_login_count = 0
    user.locked_until = None
    audit.record("auth.unlocked", user, actor=None)
    db.session.flush()


def reactivate_user(user: User) -> None:
    user.active = True
    db.session.flush()


#: Where the platform runs when no request tells us (command line, development).


def invitation_link(token: str, base_url: str | None = None) -> str:
    """The absolute link that accepts an invitation.

    Inside a request the request's own host is used; on the command line,
    ``base_url``, else the ``BASE_URL`` setting, else the development address.
    """
    return external_url("auth.accept_invitation", base_url=base_url, token=token)


def send_invitation_email(invitation: Invitation, link: str) -> None:
    """E-mail the invitation; may raise ``OSError``/``smtplib.SMTPException``."""
    max_age = current_app.config["INVITATION_MAX_AGE"]
    body = (
        f"Dear {invitation.name},\n\n"
        f"You are invited to join Capacity Match, the platform matching technical-assistance\n"
        f"needs and offers under the United Nations Convention against Cybercrime, as\n"
        f"{invitation.role.value.replace('_', ' ')} for {invitation.organisation.name}.\n\n"
        f"Open this link to choose your password and create your account:\n\n{link}\n\n"
        f"The link can be used once and expires in {max_age.days} days.\n"
        f"If you did not expect this message, you can ignore it.\n"
    )
    mail.send(Message(
        subject="Your invitation to Capacity Match", recipients=[invitation.email], body=body
    ))
