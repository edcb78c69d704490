"""Web hardening applied to every response (filled in by the security work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the response hooks."""
