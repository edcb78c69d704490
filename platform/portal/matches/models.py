"""Rankings are stored, not recomputed on each page view."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
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


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"        # waiting for the donor and the State
    AGREED = "agreed"            # both agreed: the offer's capacity is taken
    IN_DELIVERY = "in_delivery"  # the donor has started delivering
    COMPLETED = "completed"      # the State has confirmed delivery
    DECLINED = "declined"        # the donor or the State said no
    CANCELLED = "cancelled"      # withdrawn need or offer, or cancelled by a coordinator


MATCH_STATUS_LABELS = {
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.PROPOSED: _l("Proposed"),
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.AGREED: _l("Agreed"),
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.IN_DELIVERY: _l("In delivery"),
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.COMPLETED: _l("Completed"),
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.DECLINED: _l("Declined"),
    # Translators: status of a match (an offer proposed for a need), shown as a badge.
    MatchStatus.CANCELLED: _l("Cancelled"),
}

#: A pair of need and offer has at most one match in these statuses.
OPEN_MATCH_STATUSES = (MatchStatus.PROPOSED, MatchStatus.AGREED, MatchStatus.IN_DELIVERY)


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


DECISION_LABELS = {
    # Translators: one side's answer to a proposed match.
    Decision.ACCEPTED: _l("Accepted"),
    # Translators: one side's answer to a proposed match.
    Decision.DECLINED: _l("Declined"),
}


def _enum(kind, length=20):
    return sa.Enum(kind, native_enum=False, length=length,
                   values_callable=lambda members: [m.value for m in members])


class Match(db.Model):
    """A coordinator's proposal of an offer for a need, and what became of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), index=True)
    status: Mapped[MatchStatus] = mapped_column(_enum(MatchStatus), default=MatchStatus.PROPOSED, index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The engine's score and features when it was proposed (None if picked by hand
    # outside the ranking): decisions become labelled examples for the re-ranker.
    score: Mapped[float | None]
    features: Mapped[dict | None] = mapped_column(sa.JSON)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    donor_decision: Mapped[Decision | None] = mapped_column(_enum(Decision))
    donor_reason: Mapped[str | None] = mapped_column(sa.Text)
    donor_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    donor_decided_at: Mapped[datetime | None]
    state_decision: Mapped[Decision | None] = mapped_column(_enum(Decision))
    state_reason: Mapped[str | None] = mapped_column(sa.Text)
    state_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    state_decided_at: Mapped[datetime | None]
    agreed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Why it was cancelled (a withdrawal, or a coordinator's reason).
    closed_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The matches list is newest first.
        sa.Index("ix_match_proposed", "proposed_at", "id"),
        # One open match per pair, enforced by the database even under races.
        sa.Index(
            "uq_match_open_pair", "need_id", "offer_id", unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"),
            postgresql_where=sa.text("status IN ('proposed', 'agreed', 'in_delivery')"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MATCH_STATUSES


REJECTION_REASONS = {
    "off_topic": _l("Not what the need asks for"),
    "too_small": _l("Too small for the need"),
    "wrong_beneficiaries": _l("Meant for other institutions"),
    "timing": _l("Dates do not fit"),
    "covered": _l("The need is already covered"),
    "other": _l("Other reason"),
}


class Rejection(db.Model):
    """A coordinator ruled a candidate out for a need: it is no longer shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(sa.ForeignKey("need.id"))
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"))
    reason: Mapped[str] = mapped_column(sa.String(30))
    note: Mapped[str | None] = mapped_column(sa.Text)
    score: Mapped[float | None]
    features: Mapped[dict | None] = mapped_column(sa.JSON)
    rejected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    rejected_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[Offer] = relationship()

    __table_args__ = (sa.UniqueConstraint("need_id", "offer_id", name="uq_rejection_need_offer"),)


class RankerModel(db.Model):
    """A re-ranker trained on coordinators' decisions (``flask matching train``).

    Kept in the database, not in a file or in memory, so that every instance
    of the platform ranks with the same model.
    """

    __tablename__ = "ranker_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    n_examples: Mapped[int]
    n_positive: Mapped[int]
    library_version: Mapped[str] = mapped_column(sa.String(40))
    # The fitted estimator, serialised with joblib.
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
