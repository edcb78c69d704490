"""A form posted twice (double click, back button, a retried request)
creates one record.

Each creating form carries a single-use token. The first request that
commits claims it, in the same transaction as the record it creates; a
second request with the same token finds it claimed, or fails on the
table's primary key if both raced, and is sent to what the first created.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from portal.database import utcnow
from portal.extensions import db


class FormSubmission(db.Model):
    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where the first submission led, for the repeats.
    result_url: Mapped[str | None] = mapped_column(sa.String(300))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubmissionTokenField(HiddenField):
    """The hidden single-use token; a fresh one on every rendering of a new form."""

    def __init__(self, **kwargs):
        super().__init__(default=new_token, **kwargs)


def earlier_result(token: str | None) -> str | None:
    """Where a previous submission of this form led, if it was already sent."""
    if not token:
        return None
    submission = db.session.get(FormSubmission, token[:64])
    return submission.result_url or "/" if submission else None


def claim(token: str | None, result_url: str) -> None:
    """Record that this form's token was used; flush so a race fails here."""
    if token:
        db.session.add(FormSubmission(token=token[:64], result_url=result_url))
        db.session.flush()
