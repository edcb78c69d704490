"""Tell people what waits for them: an in-app notification and an e-mail.

E-mails are queued on the database session and sent only once the request's
transaction has committed, so nobody is told about a step that was rolled
back (for instance the loser of two concurrent decisions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.database import utcnow
from portal.extensions import db, mail
from portal.notifications.models import Notification, OutboxMessage
from portal.urls import external_url, local_url

_QUEUE_KEY = "capacity_match_mail_queue"


@dataclass(frozen=True)
class Notice:
    """One kind of message: its template (templates/mail/<kind>.txt) names the rest."""

    kind: str
    # Lazy strings (lazy_gettext with their values): each recipient reads them
    # in their own language, whoever triggered the step.
    subject: Any
    summary: Any
    endpoint: str
    endpoint_args: dict


def notify(users: Iterable[User], notice: Notice, **context) -> None:
    """Queue an in-app notification and an e-mail for each active user."""
    link = local_url(notice.endpoint, **notice.endpoint_args)
    absolute_link = external_url(notice.endpoint, **notice.endpoint_args)
    for user in {u.id: u for u in users if u is not None and u.active}.values():
        # The notification and the e-mail are in the recipient's language.
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject, summary = str(notice.subject), str(notice.summary)
            body = render_template(
                f"mail/{notice.kind}.txt", recipient=user, summary=summary,
                link=absolute_link, **context,
            )
        db.session.add(Notification(user_id=user.id, kind=notice.kind, message=summary, link=link))
        db.session.add(OutboxMessage(recipient=user.email, subject=subject, body=body,
                                     kind=notice.kind))
        db.session.info.setdefault(_QUEUE_KEY, []).append(
            Message(subject=f"[Capacity Match] {subject}", recipients=[user.email], body=body)
        )


@event.listens_for(Session, "after_commit")
def _send_queued_mail(session):
    queued = session.info.pop(_QUEUE_KEY, [])
    if not queued:
        return
    for message in queued:
        try:
            mail.send(message)
        except OSError:  # an unreachable mail server must not undo a committed step
            current_app.logger.exception("could not send e-mail to %s", message.recipients)


@event.listens_for(Session, "after_rollback")
def _drop_queued_mail(session):
    session.info.pop(_QUEUE_KEY, None)


def notifications_of(user: User):
    return (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def inbox_count(user: User) -> int:
    """What the Inbox badge shows: answers awaited from the user, and unread news."""
    from portal.matches.services import count_waiting

    return count_waiting(user) + unread_count(user)


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def outbox():
    return sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def waiting_for(user: User) -> list:
    """Proposals that wait for this user's organisation to answer."""
    from portal.matches.services import waiting_for as matches_waiting_for

    return matches_waiting_for(user)
