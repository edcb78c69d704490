"""The migrations are the only way a real database gets its schema: prove they match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.config import TestingConfig
from portal.database import render_migration_item
from portal.extensions import db


def make_app(database_url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    return create_app(Config)


def table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_matches_models_and_downgrades_to_base(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        assert {"organisation", "user", "need", "offer", "invitation"} <= table_names(db.engine)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_item": render_migration_item},
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(revision="base")
        assert table_names(db.engine) <= {"alembic_version"}
        db.engine.dispose()
