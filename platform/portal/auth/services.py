"""Accounts: authentication, users and invitations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mail import Message

from matching import COUNTRY_REGION
from portal.auth.forms import MIN_PASSWORD_LENGTH
from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.database import utcnow
from portal.errors import ValidationError
from portal.extensions import db, mail
from portal.urls import external_url


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters long")


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
        raise ValidationError("name", "is required")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", f"must be at most {MAX_NAME_LENGTH} characters long")
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name)):
        raise ValidationError("name", "another organisation already has this name")
    kind = OrganisationKind(info.kind)
    if kind == OrganisationKind.REQUESTING_STATE and not info.country:
        raise ValidationError("country", "a requesting State needs its country")
    if info.country and info.country not in COUNTRY_REGION:
        raise ValidationError("country", f"unknown ISO 3166-1 alpha-3 code {info.country!r}")
    organisation = Organisation(name=name, kind=kind, country=info.country or None)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _check_new_user(email: str, role: Role, organisation: Organisation) -> None:
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationError("email", "an account with this e-mail already exists")
    if role in (Role.COORDINATOR, Role.ADMIN) and organisation.kind != OrganisationKind.SECRETARIAT:
        raise ValidationError("role", "coordinators and administrators belong to the secretariat")
    if role == Role.FOCAL_POINT and organisation.kind == OrganisationKind.SECRETARIAT:
        raise ValidationError("role", "the secretariat has coordinators, not focal points")


def create_user(
    *, email: str, name: str, password: str, role: Role, organisation: Organisation
) -> User:
    email = normalise_email(email)
    _check_new_user(email, Role(role), organisation)
    check_password_rules(password)
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
    # Mark it used in the same statement that checks it is unused, so two
    # concurrent acceptances cannot both succeed.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if not claimed:
        raise ValidationError("token", "this invitation has already been used")
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
        raise ValidationError("user", "you cannot deactivate your own account")
    if user.role == Role.ADMIN and user.active:
        other_admins = db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        )
        if not other_admins:
            raise ValidationError("user", "the last active administrator cannot be deactivated")
    user.active = False
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
