"""`flask users ...`: account administration from the command line.

Each command calls the same services as the administration pages and commits
once. Errors name the option at fault and exit non-zero.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from portal.auth import services
from portal.auth.models import Organisation, OrganisationKind, Role
from portal.errors import ValidationError
from portal.extensions import db
from portal.urls import DEFAULT_BASE_URL

users_cli = AppGroup("users", help="Manage user accounts.")

ROLE_CHOICE = click.Choice([role.value for role in Role])
KIND_CHOICE = click.Choice([kind.value for kind in OrganisationKind])

# Which option supplied the value a service complains about.
OPTION_FOR_FIELD = {
    "email": "--email",
    "name": "--name",
    "role": "--role",
    "country": "--country",
    "password": "password",
    "user": "EMAIL",
}


def fail(error: ValidationError, option_for_field: dict[str, str] | None = None) -> None:
    """Roll back and turn a service's error into a usage error naming the option."""
    db.session.rollback()
    option = (option_for_field or OPTION_FOR_FIELD).get(error.field, error.field)
    raise click.BadParameter(error.message, param_hint=f"'{option}'")


def resolve_organisation(name: str, create_kind: str | None, country: str | None) -> Organisation:
    """The organisation called ``name``, created first when ``create_kind`` is given."""
    existing = services.find_organisation(name)
    if create_kind is None and country:
        raise click.BadParameter("is only used with --create-organisation", param_hint="'--country'")
    if create_kind is None:
        if existing is None:
            raise click.BadParameter(
                f"no organisation is called {name!r}; create it with --create-organisation KIND",
                param_hint="'--organisation'",
            )
        return existing
    if existing is not None:
        raise click.BadParameter(
            f"an organisation called {name!r} already exists; leave out --create-organisation",
            param_hint="'--organisation'",
        )
    info = services.OrganisationInfo(
        name=name, kind=OrganisationKind(create_kind), country=country.upper() if country else None
    )
    try:
        return services.create_organisation(info)
    except ValidationError as error:
        fail(error, {**OPTION_FOR_FIELD, "name": "--organisation"})


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=ROLE_CHOICE,
              help="focal_point outside the secretariat; coordinator or admin inside it.")
@click.option("--organisation", "organisation_name", required=True, metavar="NAME",
              help="Name of the user's organisation; it must exist unless --create-organisation.")
@click.option("--create-organisation", "create_kind", type=KIND_CHOICE, metavar="KIND",
              help=f"Create the organisation first, of this kind ({', '.join(k.value for k in OrganisationKind)}).")
@click.option("--country", metavar="ISO3",
              help="ISO 3166-1 alpha-3 code of the created organisation; required for a requesting_state.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, role, organisation_name, create_kind, country, password_stdin):
    """Create an account with a password (for example the first administrator)."""
    organisation = resolve_organisation(organisation_name, create_kind, country)
    password = read_password(password_stdin)
    try:
        user = services.create_user(
            email=email, name=name, password=password, role=Role(role), organisation=organisation
        )
    except ValidationError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} in {organisation.name}.")


@users_cli.command("invite")
@click.option("--email", required=True, help="E-mail address to invite.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=ROLE_CHOICE)
@click.option("--organisation", "organisation_name", required=True, metavar="NAME")
@click.option("--base-url", metavar="URL",
              help=f"Address of the platform in the link (default: BASE_URL or {DEFAULT_BASE_URL}).")
@click.option("--send-mail/--no-send-mail", default=False,
              help="Also e-mail the invitation (needs MAIL_SERVER).")
def invite_user(email, name, role, organisation_name, base_url, send_mail):
    """Invite a user and print the single-use link to send them."""
    organisation = resolve_organisation(organisation_name, None, None)
    try:
        invitation, token = services.invite_user(
            email=email, name=name, role=Role(role), organisation=organisation, invited_by=None,
            valid_for=current_app.config["INVITATION_MAX_AGE"],
        )
    except ValidationError as error:
        fail(error)
    db.session.commit()
    link = services.invitation_link(token, base_url)
    if send_mail:
        services.send_invitation_email(invitation, link)
    click.echo(f"Invited {invitation.email} ({invitation.role.value}) to {organisation.name}.")
    click.echo(f"Invitation link (single use, expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC):")
    click.echo(link)


@users_cli.command("list")
@click.option("--organisation", "organisation_name", metavar="NAME", help="Only this organisation.")
def list_users(organisation_name):
    """List accounts: e-mail, role, organisation and whether they can log in."""
    organisation = resolve_organisation(organisation_name, None, None) if organisation_name else None
    users = services.list_users(organisation)
    if not users:
        click.echo("No users.")
        return
    width = max(len(user.email) for user in users)
    for user in users:
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email:<{width}}  {user.role.value:<11}  {state:<11}  {user.organisation.name}")


def load_user(email: str):
    user = services.find_user(email)
    if user is None:
        raise click.BadParameter(f"no account has the e-mail {email!r}", param_hint="'EMAIL'")
    return user


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email):
    """Stop an account from logging in (its records stay)."""
    user = load_user(email)
    try:
        services.deactivate_user(user)
    except ValidationError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


@users_cli.command("reactivate")
@click.argument("email")
def reactivate_user(email):
    """Let a deactivated account log in again."""
    user = load_user(email)
    services.reactivate_user(user)
    db.session.commit()
    click.echo(f"Reactivated {user.email}.")


@users_cli.command("reset-totp")
@click.argument("email")
def reset_totp(email):
    """Forget an account's second factor (a lost phone); staff set it up again at next login."""
    user = load_user(email)
    services.disable_totp(user)
    db.session.commit()
    click.echo(f"Second factor of {user.email} removed; their sessions are logged out.")


@users_cli.command("unlock")
@click.argument("email")
def unlock_user(email):
    """End the lockout of an account after too many failed logins."""
    user = load_user(email)
    services.unlock_user(user)
    db.session.commit()
    click.echo(f"Unlocked {user.email}.")
