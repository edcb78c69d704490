"""Small helpers shared by the views."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import idempotency
from portal.auth.access import can_view
from portal.errors import ValidationError
from portal.extensions import db

CONFLICT_MESSAGE = _l("Someone else changed this at the same moment, so nothing you sent was "
                    "saved. Here is the page as it is now: please check and try again.")


def get_visible_or_404(model, record_id: int):
    """The record if the current user may see it; 404 otherwise, so that
    guessing ids reveals nothing about other organisations' records."""
    record = db.session.get(model, record_id)
    if record is None or not can_view(current_user, record):
        abort(404)
    return record


def show_error_on_form(form: FlaskForm, error: ValidationError) -> None:
    """Put a service's error next to the field it names, or on top of the page."""
    field = form._fields.get(error.field)
    if field is not None:
        field.errors = list(field.errors) + [sentence(error.message)]
    else:
        flash_error(error)


#: Past this, a page number is a typo or a probe, not a page.
MAX_PAGE = 100_000


def page_number() -> int:
    number = request.args.get("page", 1, type=int) or 1
    return min(max(number, 1), MAX_PAGE)


def sentence(message: str) -> str:
    """Services word their errors as clauses ("say why you decline"); pages show sentences."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def flash_error(error: ValidationError) -> None:
    flash(sentence(error.message), "error")


def commit_step(step, done_message: str, form: FlaskForm | None = None) -> bool:
    """Run one step of a service and commit it, or explain why it was not taken.

    A concurrent change to the same records (a version conflict or a unique
    constraint) rolls the whole step back: exactly one of two racing users wins.
    """
    try:
        step()
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        if form is not None:
            show_error_on_form(form, error)
        else:
            flash_error(error)
        return False
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(str(CONFLICT_MESSAGE), "warning")
        return False
    flash(done_message, "success")
    return True


def change_status(record, action, done_message: str) -> bool:
    """Run a service that moves a record on; commit and say so, or explain why not."""
    return commit_step(lambda: action(record, current_user), done_message)


def create_once(form: FlaskForm, create, url_of, done_message: str):
    """Run a service that creates a record, once per form however often it is sent.

    Returns the redirect to the created record (or, for a repeat, to what the
    first submission created), or None when the form must be shown again
    with the service's error.
    """
    token = form.submission_token.data
    repeat = idempotency.earlier_result(token)
    if repeat:
        flash(_("This form was already sent: here is what it created."), "info")
        return redirect(repeat)
    try:
        record = create()
        idempotency.claim(token, url_of(record))
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        show_error_on_form(form, error)
        return None
    except IntegrityError:  # the same form, sent twice at the same moment
        db.session.rollback()
        # The other request has committed by now (the database made this one
        # wait for it): send this one to what it created, like any repeat.
        flash(_("This form was already sent."), "info")
        return redirect(idempotency.earlier_result(token) or request.path)
    flash(done_message, "success")
    return redirect(url_of(record))
