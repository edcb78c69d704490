"""The JSON REST API (``/api/v1``) and its tokens.

Built with flask-smorest: the marshmallow schemas of ``schemas.py`` check the
requests, shape the responses and generate the OpenAPI document served at
``/api/v1/openapi.json`` (the documentation page ``/api/v1/docs`` is made
from it). Tokens are managed on ``/api/tokens``.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from portal.api.schemas import ErrorSchema


class PortalApi(Api):
    """flask-smorest's Api, minus its application-wide JSON error handler.

    The pages keep their HTML error pages; the API blueprints register their
    own JSON handlers (``portal.api.errors``). No catch-all "default" response
    is documented either: each operation lists the errors it can give.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None


def init_app(app: Flask) -> None:
    from portal.api.auth import ApiSessionInterface
    from portal.api.resources import BLUEPRINTS
    from portal.extensions import csrf

    app.config.setdefault("API_TITLE", "Capacity Match API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Needs, offers, rankings and matches of Capacity Match, with the "
                                "access rules of the pages. Authenticate with a personal token "
                                "(created on /api/tokens): `Authorization: Bearer <token>`."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })
    app.session_interface = ApiSessionInterface()
    api = PortalApi(app)
    for blueprint in BLUEPRINTS:
        # Bearer tokens only, never cookies: no request can ride on a browser's session.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
