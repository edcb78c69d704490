"""Small helpers shared by the views."""

from __future__ import annotations

from flask import abort, flash, request
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.auth.access import can_view
from portal.errors import ValidationError
from portal.extensions import db


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
        field.errors = list(field.errors) + [error.message]
    else:
        flash_error(error)


def page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def flash_error(error: ValidationError) -> None:
    flash(error.message[:1].upper() + error.message[1:] + ".", "error")


def change_status(record, action, done_message: str) -> bool:
    """Run a service that moves a record on; commit and say so, or explain why not."""
    try:
        action(record, current_user)
    except ValidationError as error:
        db.session.rollback()
        flash_error(error)
        return False
    db.session.commit()
    flash(done_message, "success")
    return True
