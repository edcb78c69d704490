import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.matches import learning, services

matching_cli = AppGroup("matching", help="The matching engine's rankings.")


@matching_cli.command("rebuild")
def rebuild_command():
    """Refit the engine and rank every open need again."""
    ranked = services.rebuild()
    db.session.commit()
    click.echo(f"Ranked {ranked} open need(s) against the matchable offers.")


@matching_cli.command("train")
@click.option("--min-examples", default=20, show_default=True,
              help="Fewest decisions to learn from; below it the hand-weighted score stays.")
def train_command(min_examples: int):
    """Fit the re-ranker on coordinators' decisions, then rank every open need with it."""
    try:
        model = learning.train(min_examples=min_examples)
    except learning.TooFewDecisions as error:
        db.session.rollback()
        click.echo(f"Not trained: {error}. The engine keeps its hand-weighted score.")
        raise SystemExit(1) from None
    ranked = services.rebuild()
    db.session.commit()
    click.echo(f"Trained on {model.n_examples} decisions ({model.n_positive} positive); "
               f"ranked {ranked} open need(s) with it.")
