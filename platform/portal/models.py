"""Every model, imported in one place for Alembic and the shell."""

from portal.api.models import ApiToken
from portal.audit.models import AuditEvent
from portal.auth.models import Invitation, Organisation, OrganisationKind, Role, User
from portal.idempotency import FormSubmission
from portal.matches.models import Match, RankedCandidate, Rejection
from portal.needs.models import Need
from portal.notifications.models import Notification, OutboxMessage
from portal.offers.models import Offer
from portal.records import Status

__all__ = [
    "ApiToken", "AuditEvent", "FormSubmission", "Match", "Notification", "OutboxMessage", "Rejection","Invitation", "Need", "Offer", "Organisation", "RankedCandidate", "OrganisationKind", "Role", "Status", "User"]
