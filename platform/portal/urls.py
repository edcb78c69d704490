"""Absolute links for e-mails, also outside a request (command line, tests)."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, *, base_url: str | None = None, **values) -> str:
    """Inside a request the request's own host is used; elsewhere ``base_url``,
    else the ``BASE_URL`` setting, else the development address."""
    if base_url is None and has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = base_url or current_app.config.get("BASE_URL") or DEFAULT_BASE_URL
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def local_url(endpoint: str, **values) -> str:
    """A path on this site, built inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or DEFAULT_BASE_URL):
        return url_for(endpoint, **values)
