"""What needs and offers have in common: coded fields, status and lifecycle."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from matching import BENEFICIARIES, DELIVERY_MODES, MODALITIES, TEXT_LANGUAGES, THEMES
from matching.records import MAX_TITLE_LENGTH
from portal.database import CodeList, TimestampMixin


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MATCHED = "matched"
    IN_DELIVERY = "in_delivery"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    # Translators: status of a need or an offer, shown as a short badge.
    Status.DRAFT: _l("Draft"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.SUBMITTED: _l("Submitted"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.UNDER_REVIEW: _l("Under review"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.MATCHED: _l("Matched"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.IN_DELIVERY: _l("In delivery"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.COMPLETED: _l("Completed"),
    # Translators: status of a need or an offer, shown as a short badge.
    Status.WITHDRAWN: _l("Withdrawn"),
}

#: Needs that wait for a match: they are ranked, queued for review, proposable.
OPEN_NEED_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)
#: Offers that can still be proposed (while they have an engagement left).
MATCHABLE_OFFER_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.MATCHED, Status.IN_DELIVERY)

#: Statuses in which the owner may still edit or withdraw a record.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW})


def status_column() -> Mapped[Status]:
    return mapped_column(
        sa.Enum(Status, native_enum=False, length=20,
                values_callable=lambda statuses: [s.value for s in statuses]),
        default=Status.DRAFT,
        index=True,
    )


class AssistanceRecord(TimestampMixin):
    """Columns shared by needs and offers (the interchange format's common fields)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The record's id in the interchange format; stable across import/export.
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE_LENGTH))
    description: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2))
    working_languages: Mapped[list[str]] = mapped_column(CodeList(name="language"))
    themes: Mapped[list[str]] = mapped_column(CodeList(THEMES, name="theme"))
    modalities: Mapped[list[str]] = mapped_column(CodeList(MODALITIES, name="modality"))
    beneficiaries: Mapped[list[str]] = mapped_column(CodeList(BENEFICIARIES, name="beneficiary"))
    delivery: Mapped[list[str]] = mapped_column(CodeList(DELIVERY_MODES, name="delivery"))
    budget_usd: Mapped[float | None] = mapped_column(sa.Numeric(14, 2, asdecimal=False))
    start: Mapped[str | None] = mapped_column(sa.String(7))
    end: Mapped[str | None] = mapped_column(sa.String(7))

    # Optimistic locking: every UPDATE checks the version it read, so of two
    # people changing the same record at the same moment exactly one wins.
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr
    def status(cls) -> Mapped[Status]:
        return status_column()

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    @declared_attr.directive
    def __table_args__(cls):
        languages = ", ".join(f"'{code}'" for code in TEXT_LANGUAGES)
        table = cls.__tablename__
        return (
            # The lists are newest first: everyone's for coordinators, an
            # organisation's own for focal points; with these the database
            # reads a page from the index instead of sorting the whole table.
            sa.Index(f"ix_{table}_updated", "updated_at", "id"),
            sa.Index(f"ix_{table}_organisation_updated", "organisation_id", "updated_at", "id"),
            sa.Index(f"ix_{table}_created", "created_at", "id"),
            sa.CheckConstraint(f"language IN ({languages})", name="known_language"),
            sa.CheckConstraint("budget_usd IS NULL OR budget_usd >= 0", name="budget_not_negative"),
            sa.CheckConstraint(
                'start IS NULL OR "end" IS NULL OR start <= "end"', name="window_in_order"
            ),
        )

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES
