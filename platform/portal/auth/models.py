"""Organisations, users and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.passwords import hash_password, verify_password
from portal.database import utcnow
from portal.extensions import db


class OrganisationKind(enum.StrEnum):
    REQUESTING_STATE = "requesting_state"
    DONOR_STATE = "donor_state"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    COMPANY = "company"
    NGO = "ngo"
    ACADEMIA = "academia"
    SECRETARIAT = "secretariat"

    @property
    def is_donor(self) -> bool:
        return self not in (OrganisationKind.REQUESTING_STATE, OrganisationKind.SECRETARIAT)


ORGANISATION_KIND_LABELS = {
    OrganisationKind.REQUESTING_STATE: _l("Requesting State"),
    OrganisationKind.DONOR_STATE: _l("Donor State"),
    OrganisationKind.INTERNATIONAL_ORGANISATION: _l("International organisation"),
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.NGO: _l("Non-governmental organisation"),
    OrganisationKind.ACADEMIA: _l("Academia"),
    OrganisationKind.SECRETARIAT: _l("Secretariat"),
}


class Role(enum.StrEnum):
    FOCAL_POINT = "focal_point"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ROLE_LABELS = {
    # Translators: role of a user account; "Focal point" is the Convention's term for a designated contact.
    Role.FOCAL_POINT: _l("Focal point"),
    # Translators: role of a user account; "Focal point" is the Convention's term for a designated contact.
    Role.COORDINATOR: _l("Coordinator"),
    # Translators: role of a user account; "Focal point" is the Convention's term for a designated contact.
    Role.ADMIN: _l("Administrator"),
}


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=40,
                values_callable=lambda kinds: [k.value for k in kinds])
    )
    # ISO 3166-1 alpha-3; required for a requesting State, optional otherwise.
    country: Mapped[str | None] = mapped_column(sa.String(3), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    __table_args__ = (
        sa.CheckConstraint(
            "kind != 'requesting_state' OR country IS NOT NULL", name="state_has_country"
        ),
    )

    @property
    def is_requesting_state(self) -> bool:
        return self.kind == OrganisationKind.REQUESTING_STATE

    @property
    def is_donor(self) -> bool:
        return OrganisationKind(self.kind).is_donor

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20,
                values_callable=lambda roles: [r.value for r in roles])
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Preferred interface language (BCP 47 / gettext code); None = browser's.
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Bumped at logout, deactivation and password change: a session cookie
    # carrying an older version is refused, so a captured cookie dies with it.
    session_version: Mapped[int] = mapped_column(default=1)
    # Base32 TOTP secret once the second factor is set up (coordinators, admins).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def needs_totp(self) -> bool:
        """Coordinators and administrators see every State's needs: two factors."""
        return self.is_coordinator

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: with the session version, so
        that bumping the version ends every session opened before."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store an argon2id hash (no policy check: see auth.services.change_password)."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


class Invitation(db.Model):
    """A single-use, expiring invitation to create an account.

    Only a hash of the token is stored, so a leaked database does not let
    anyone accept pending invitations.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20,
                values_callable=lambda roles: [r.value for r in roles])
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
