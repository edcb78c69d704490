"""The `flask` command groups; each command calls a service."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from portal.auth.cli import users_cli
    from portal.demo.cli import demo_cli
    from portal.interchange.cli import data_cli
    from portal.matches.cli import matching_cli

    for group in (users_cli, data_cli, demo_cli, matching_cli):
        app.cli.add_command(group)
