"""`flask data import|export DIR`: needs and offers in the interchange format."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.auth.models import OrganisationKind
from portal.extensions import db
from portal.interchange import services
from portal.matches import services as rankings
from portal.records import Status

data_cli = AppGroup("data", help="Import and export needs and offers.")

DONOR_KINDS = [kind.value for kind in OrganisationKind if kind.is_donor]


def report_problems(problems: list[services.Problem]) -> None:
    click.echo(f"Nothing was imported: {len(problems)} problem(s) found.", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)


@data_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--status", type=click.Choice([s.value for s in Status]), default=Status.SUBMITTED.value,
              show_default=True, help="Status of newly created records (existing ones keep theirs).")
@click.option("--donor-kind", type=click.Choice(DONOR_KINDS),
              default=OrganisationKind.INTERNATIONAL_ORGANISATION.value, show_default=True,
              help="Kind of the organisations created for unknown offer providers.")
@click.option("--dry-run", is_flag=True, help="Check every record, write nothing.")
def import_command(directory: Path, status: str, donor_kind: str, dry_run: bool):
    """Import DIRECTORY/requests.json and/or DIRECTORY/offers.json.

    Every record is checked first; if any is bad nothing is written and each
    bad record is listed by id and field. Records are matched by id: an id
    already on the platform updates that record, so importing twice is safe.
    """
    try:
        needs, offers = services.read_directory(directory)
    except services.InterchangeError as error:
        report_problems(error.problems)
        raise SystemExit(1) from None
    if needs is None and offers is None:
        raise click.BadParameter(
            f"contains neither {services.NEEDS_FILE} nor {services.OFFERS_FILE}",
            param_hint="'DIRECTORY'",
        )
    if dry_run:
        problems = services.check_records(needs, offers)
        if problems:
            report_problems(problems)
            raise SystemExit(1)
        click.echo(f"All {len(needs or []) + len(offers or [])} records can be imported.")
        return
    try:
        summary = services.import_records(
            needs, offers, status=Status(status), donor_kind=OrganisationKind(donor_kind)
        )
    except services.InterchangeError as error:
        db.session.rollback()
        report_problems(error.problems)
        raise SystemExit(1) from None
    ranked = rankings.rebuild()
    db.session.commit()
    for kind, label, records in (("need", "needs", needs), ("offer", "offers", offers)):
        if records is None:
            continue
        click.echo(f"{label.capitalize()}: {summary.created[kind]} created, "
                   f"{summary.updated[kind]} updated, {summary.unchanged[kind]} unchanged.")
    click.echo(f"Rankings rebuilt for {ranked} open need(s).")
    if summary.organisations_created:
        click.echo(f"Organisations created ({len(summary.organisations_created)}): "
                   + "; ".join(summary.organisations_created))


@data_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--include-drafts", is_flag=True, help="Also export drafts (private by default).")
def export_command(directory: Path, include_drafts: bool):
    """Write DIRECTORY/requests.json and DIRECTORY/offers.json (created if needed)."""
    needs, offers = services.export_records(include_drafts=include_drafts)
    services.write_directory(directory, needs, offers)
    click.echo(f"Wrote {len(needs)} needs and {len(offers)} offers to {directory}.")
