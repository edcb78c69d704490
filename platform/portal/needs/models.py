"""Needs: requests for assistance submitted by requesting States."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Organisation
from portal.extensions import db
from portal.records import AssistanceRecord


class Confidentiality(enum.StrEnum):
    """Who may read a need: it shows where a State is weak."""

    PUBLIC = "public"          # every logged-in user
    DONORS = "donors"          # donors see it without the State's name, unless the State agrees
    RESTRICTED = "restricted"  # only the State and the secretariat, until the State agrees to a match


CONFIDENTIALITY_LABELS = {
    Confidentiality.PUBLIC: _l("Public: every registered user may read it"),
    Confidentiality.DONORS: _l("Donors, without our name: donors may read it, but not which State asks"),
    Confidentiality.RESTRICTED: _l("Restricted: only the secretariat, until we agree to a proposed match"),
}


class Need(AssistanceRecord, db.Model):
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # ISO 3166-1 alpha-3 code of the requesting State.
    country: Mapped[str] = mapped_column(sa.String(3), index=True)
    confidentiality: Mapped[Confidentiality] = mapped_column(
        sa.Enum(Confidentiality, native_enum=False, length=20,
                values_callable=lambda levels: [level.value for level in levels]),
        default=Confidentiality.RESTRICTED,
    )

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Need {self.ref}>"


# The review queue sorts every open need by urgency and age (an order that
# depends on today's date, so no index holds it): it reads these few columns
# from this narrow index instead of the table's wide rows (review.services).
sa.Index("ix_need_queue", Need.status, Need.created_at, Need.id, Need.start, Need.end)
