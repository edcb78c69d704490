"""`flask demo load`: demo data and accounts (never in production)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.demo import services
from portal.extensions import db

demo_cli = AppGroup("demo", help="Demo data and accounts.")


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="Load even when ENV_NAME is production.")
def load_command(force: bool):
    """Load the demo needs and offers and one account per role (safe to run again).

    The demo passwords are fixed and printed: demo use only.
    """
    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException(
            "refusing to load the demo into a production database: its accounts have "
            "published passwords. Use --force if this really is a throw-away database."
        )
    summary, accounts = services.load_demo()
    db.session.commit()
    created = summary.created["need"] + summary.created["offer"]
    click.echo(f"Demo data loaded: {created} records created, "
               f"{len(summary.organisations_created)} organisations created.")
    click.echo("")
    click.echo("Demo logins (demo only: these passwords are public):")
    width = max(len(account.email) for account in accounts)
    pw_width = max(len(account.password) for account in accounts)
    click.echo(f"  {'E-mail':<{width}}  {'Password':<{pw_width}}  Account")
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.password:<{pw_width}}  {account.description}")
    click.echo("")
    click.echo("The coordinator and administrator logins also ask for a 6-digit code: add the key")
    click.echo(f"  {services.DEMO_TOTP_SECRET}")
    click.echo("to an authenticator app (time-based, 6 digits, 30 s), or print the current code with")
    click.echo(f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{services.DEMO_TOTP_SECRET}').now())\"")
    click.echo("")
    click.echo(f"Open {services.DEMO_URL} (start the server with: flask --app wsgi run)")
