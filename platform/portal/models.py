"""Every model, imported in one place for Alembic and the shell."""

from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.matches.models import RankedCandidate
from portal.needs.models import Need
from portal.offers.models import Offer
from portal.records import Status

__all__ = ["Invitation", "Need", "Offer", "Organisation", "RankedCandidate", "OrganisationKind", "Role", "Status", "User"]
