import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.matches import services

matching_cli = AppGroup("matching", help="The matching engine's rankings.")


@matching_cli.command("rebuild")
def rebuild_command():
    """Refit the engine and rank every open need again."""
    ranked = services.rebuild()
    db.session.commit()
    click.echo(f"Ranked {ranked} open need(s) against the matchable offers.")
