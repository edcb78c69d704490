"""Rankings are stored, not recomputed on each page view."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import utcnow
from portal.extensions import db
from portal.needs.models import Need
from portal.offers.models import Offer


class RankedCandidate(db.Model):
    """One offer the engine ranks for a need, with the reasons it gives."""

    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    score: Mapped[float]
    # [{"code": ..., "params": {...}, "text": "..."}]: the code and params let
    # the interface say the reason in the reader's language.
    reasons: Mapped[list] = mapped_column(sa.JSON)
    # The engine's feature scores, kept so decisions can train a re-ranker.
    features: Mapped[dict] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("need_id", "offer_id", name="uq_candidate_need_offer"),
        sa.Index("ix_candidate_need_rank", "need_id", "rank"),
    )
