"""Commands for the public site's research tools: the search index, dated data releases."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    app.cli.add_command(search_index_command)
    app.cli.add_command(release_command)


@click.command("search-index")
@with_appcontext
def search_index_command() -> None:
    """Index every published assessment afresh (after an upgrade or a bulk load)."""
    from .database import write_transaction
    from .search import index

    with write_transaction() as session:
        count = index.rebuild(session)
    click.echo(f"Indexed {count} published assessments.")


@click.command("release")
@click.argument("name")
@click.option("--base-url", help="The public site's address, for the links in the files "
              "(default: ASSESS_PUBLIC_BASE_URL or ASSESS_BASE_URL).")  # fmt: skip
@with_appcontext
def release_command(name: str, base_url: str | None) -> None:
    """Freeze what is published now as the immutable, dated release NAME (/data/releases/NAME/)."""
    from . import releases
    from .services.errors import ServiceError

    base = (
        base_url or current_app.config.get("PUBLIC_BASE_URL") or current_app.config.get("BASE_URL")
    )
    if not base:
        raise click.ClickException(
            "Say where the site is published, for the links in the files: --base-url "
            "https://example.org (or set ASSESS_PUBLIC_BASE_URL)."
        )
    current_app.config["PUBLIC_BASE_URL"] = base.rstrip("/")
    with current_app.test_request_context(base_url=base):
        try:
            release = releases.create(name)
        except ServiceError as error:
            raise click.ClickException(f"No release written: {error}") from None
        files = ", ".join(f.filename for f in release.files)
    click.echo(f"Release {name} of {release.created_at:%Y-%m-%d}: {files}.")
