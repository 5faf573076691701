"""Commands for the public site's research tools: the search index, dated data releases."""

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    app.cli.add_command(search_index_command)


@click.command("search-index")
@with_appcontext
def search_index_command() -> None:
    """Index every published assessment afresh (after an upgrade or a bulk load)."""
    from .database import write_transaction
    from .search import index

    with write_transaction() as session:
        count = index.rebuild(session)
    click.echo(f"Indexed {count} published assessments.")
