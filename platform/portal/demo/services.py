"""The demo: the dev set of needs and offers, and one account per role.

DEMO ONLY. The passwords below are fixed and published: never load the demo
into a database that real people use (the command refuses in production
unless forced).

Loading is idempotent: records are upserted by id through the interchange
import, organisations and accounts are found before being created, and the
demo accounts get their demo password back, so the printed logins always work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portal.auth import services as auth_services
from portal.auth.models import Organisation, OrganisationKind, Role, User
from portal.choices import country_name
from portal.extensions import db
from portal.interchange import services as interchange
from portal.matches import services as rankings
from portal.needs.models import Need
from portal.records import Status

DATA_DIR = Path(__file__).resolve().parent
NEEDS_PATH = DATA_DIR / "needs.json"
OFFERS_PATH = DATA_DIR / "offers.json"

DEMO_URL = "http://127.0.0.1:5000"
SECRETARIAT_NAME = "Capacity Match Secretariat (demo)"
#: An English-language provider of the demo offers (offer O001).
DONOR_PROVIDER = "Watchfield Cyber Institute"
#: One need per demo State stays a draft, to show that drafts are private.
DRAFT_NEEDS = ("R060", "R077")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    # Where the account belongs: the secretariat, a State (ISO alpha-3) or a provider.
    country: str | None = None
    provider: str | None = None

    @property
    def description(self) -> str:
        if self.country:
            return f"focal point, {country_name(self.country)} (requesting State)"
        if self.provider:
            return f"focal point, donor ({self.provider})"
        return self.role.value


#: The TOTP key of the demo coordinator and administrator (base32; public, demo only).
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"

DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.example.org", "Demo Administrator", Role.ADMIN, "demo-admin-password"),
    DemoAccount("coordinator@demo.example.org", "Demo Coordinator", Role.COORDINATOR,
                "demo-coordinator-password"),
    DemoAccount("kenya@demo.example.org", "Demo Focal Point, Kenya", Role.FOCAL_POINT,
                "demo-kenya-password", country="KEN"),
    DemoAccount("nigeria@demo.example.org", "Demo Focal Point, Nigeria", Role.FOCAL_POINT,
                "demo-nigeria-password", country="NGA"),
    DemoAccount("donor@demo.example.org", "Demo Focal Point, Watchfield", Role.FOCAL_POINT,
                "demo-donor-password", provider=DONOR_PROVIDER),
)


def load_demo_records() -> tuple[list, list]:
    return (json.loads(NEEDS_PATH.read_text(encoding="utf-8")),
            json.loads(OFFERS_PATH.read_text(encoding="utf-8")))


def _secretariat() -> Organisation:
    return auth_services.find_organisation(SECRETARIAT_NAME) or auth_services.create_organisation(
        auth_services.OrganisationInfo(name=SECRETARIAT_NAME, kind=OrganisationKind.SECRETARIAT)
    )


def _organisation_for(account: DemoAccount, secretariat: Organisation) -> Organisation:
    if account.country:
        organisation = interchange.state_organisation(account.country)
    elif account.provider:
        organisation = auth_services.find_organisation(account.provider)
    else:
        return secretariat
    if organisation is None:  # the demo data always has them: a broken data file
        raise RuntimeError(f"the demo data has no organisation for {account.description}")
    return organisation


def _ensure_account(account: DemoAccount, organisation: Organisation) -> User:
    user = auth_services.find_user(account.email)
    if user is None:
        user = auth_services.create_user(
            email=account.email, name=account.name, password=account.password,
            role=account.role, organisation=organisation,
        )
    else:
        # Someone may have changed the password, deactivated or locked it while trying things.
        user.set_password(account.password)
        user.active = True
        user.failed_login_count = 0
        user.locked_until = None
    # Coordinators and administrators need a second factor: a published one, like the passwords.
    if user.needs_totp and user.totp_secret != DEMO_TOTP_SECRET:
        auth_services.enable_totp(user, DEMO_TOTP_SECRET)
    db.session.flush()
    return user


def load_demo() -> tuple[interchange.ImportSummary, tuple[DemoAccount, ...]]:
    """Import the demo needs and offers and make the demo accounts; flushes only."""
    needs, offers = load_demo_records()
    summary = interchange.import_records(needs, offers, status=Status.SUBMITTED)
    for need in db.session.scalars(sa.select(Need).where(Need.ref.in_(DRAFT_NEEDS))):
        need.status = Status.DRAFT
    secretariat = _secretariat()
    for account in DEMO_ACCOUNTS:
        _ensure_account(account, _organisation_for(account, secretariat))
    db.session.flush()
    rankings.rebuild()
    return summary, DEMO_ACCOUNTS
