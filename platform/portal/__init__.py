"""Capacity Match: the web platform."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext

from portal.config import CONFIGS, Config
from portal.database import render_migration_item
from portal.extensions import csrf, db, login_manager, mail, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application.

    Without an explicit ``config_class`` the environment variable
    ``CAPACITY_MATCH_ENV`` chooses one (``development`` by default, so that
    ``flask --app wsgi run`` works on a fresh machine).
    """
    if config_class is None:
        config_class = CONFIGS[os.environ.get("CAPACITY_MATCH_ENV", "development")]
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    from portal.security import check_settings

    check_settings(app)  # refuse unsafe production settings before anything uses them
    configure_instance(app)
    configure_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def configure_instance(app: Flask) -> None:
    """Local secrets and the SQLite file live in the instance folder."""
    env = app.config["ENV_NAME"]
    if env == "development":
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        if not app.config.get("SECRET_KEY"):
            key_file = Path(app.instance_path) / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            app.config["SECRET_KEY"] = key_file.read_text().strip()
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            database = Path(app.instance_path) / "capacity_match.sqlite"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    elif env == "production":
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY is not set: set it in the environment before starting "
                "in production (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if app.debug:
            raise RuntimeError("debug mode must be off in production")


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_DIR),
        render_as_batch=True, compare_type=True, render_item=render_migration_item,
    )
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy message, in the request's language
    from portal import i18n, security
    from portal.matches import services as matches_services

    matches_services.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    from portal import models  # noqa: F401  (register every model with SQLAlchemy)


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.api.views import bp as api_bp
    from portal.auth.views import bp as auth_bp
    from portal.errors import bp as errors_bp
    from portal.exports.views import bp as exports_bp
    from portal.insight.views import bp as insight_bp
    from portal.main.views import bp as main_bp
    from portal.matches.views import bp as matches_bp
    from portal.needs.views import bp as needs_bp
    from portal.notifications.views import bp as notifications_bp
    from portal.offers.views import bp as offers_bp
    from portal.review.views import bp as review_bp

    app.register_blueprint(errors_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(needs_bp, url_prefix="/needs")
    app.register_blueprint(offers_bp, url_prefix="/offers")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(matches_bp, url_prefix="/matches")
    app.register_blueprint(notifications_bp, url_prefix="/inbox")
    app.register_blueprint(insight_bp, url_prefix="/insight")
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(api_bp, url_prefix="/api")
    from portal import api

    api.init_app(app)  # the JSON API's own blueprints, under /api/v1


def register_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)


def register_template_helpers(app: Flask) -> None:
    from portal.presentation import register

    register(app)
