"""Who may do what: decorators for views and predicates for records."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.auth.models import Role, User


def roles_required(*roles: Role) -> Callable:
    """Allow only logged-in users holding one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = roles_required(Role.COORDINATOR, Role.ADMIN)
admin_required = roles_required(Role.ADMIN)


def requesting_state_required(view: Callable) -> Callable:
    """Focal points of a requesting State only: they are the ones who submit needs."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_state_focal_point(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def donor_required(view: Callable) -> Callable:
    """Focal points of a donor organisation only: they are the ones who post offers."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_donor_focal_point(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def is_state_focal_point(user: User) -> bool:
    return user.role == Role.FOCAL_POINT and user.organisation.is_requesting_state


def is_donor_focal_point(user: User) -> bool:
    return user.role == Role.FOCAL_POINT and user.organisation.is_donor


def owns(user: User, record) -> bool:
    """A focal point owns the needs or offers of their own organisation."""
    return user.role == Role.FOCAL_POINT and record.organisation_id == user.organisation_id


def can_view(user: User, record) -> bool:
    """A focal point sees their organisation's needs or offers; coordinators see
    everyone's once submitted (drafts stay private to their organisation)."""
    from portal.records import Status

    return owns(user, record) or (user.is_coordinator and record.status != Status.DRAFT)


def can_edit(user: User, record) -> bool:
    return owns(user, record) and record.is_editable
