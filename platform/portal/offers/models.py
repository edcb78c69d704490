"""Offers: what donor States, organisations and companies can deliver."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching import COUNTRY_REGION, REGIONS
from portal.auth.models import Organisation
from portal.database import CodeList
from portal.extensions import db
from portal.records import AssistanceRecord


class Offer(AssistanceRecord, db.Model):
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # Who offers it, as shown to others; usually the organisation's name.
    provider: Mapped[str] = mapped_column(sa.String(200))
    regions: Mapped[list[str]] = mapped_column(CodeList(REGIONS, name="region"))
    eligible_countries: Mapped[list[str]] = mapped_column(CodeList(COUNTRY_REGION, name="country"))
    excluded_countries: Mapped[list[str]] = mapped_column(CodeList(COUNTRY_REGION, name="country"))
    # How many engagements it can take on, and how many are left: an agreed
    # match takes one, a cancelled agreement gives it back.
    capacity: Mapped[int] = mapped_column(default=1)
    remaining_capacity: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Offer {self.ref}>"


# Every request that ranks first checks whether the matchable offers changed
# since this process fitted its engine (matches.services._offers_fingerprint):
# an aggregate over the offers of the matchable statuses, read from this narrow
# index instead of the table's wide rows.
sa.Index("ix_offer_fingerprint", Offer.status, Offer.remaining_capacity, Offer.id,
         Offer.updated_at, Offer.version)
