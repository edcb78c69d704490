"""Needs: requests for assistance submitted by requesting States."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Organisation
from portal.extensions import db
from portal.records import AssistanceRecord


class Need(AssistanceRecord, db.Model):
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # ISO 3166-1 alpha-3 code of the requesting State.
    country: Mapped[str] = mapped_column(sa.String(3), index=True)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Need {self.ref}>"
