"""`assess import-assessments FILE [--commit] --as EMAIL`: the bulk import from the command line."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..services import bulk_import
from ..services.errors import ServiceError


def _where(row) -> str:
    """The row's sheet, number, country and indicator (or item), by name."""
    sheet = f"{row.sheet} " if row.sheet else ""
    country = f"{row.country_code} {row.country_name}" if row.country_name else row.country_code
    item = row.indicator_title or row.indicator_slug if row.kind == "assessment" else row.kind
    return f"{sheet}row {row.line} ({country or '?'}, {item or '?'})"


def _report(report: bulk_import.ImportReport) -> None:
    for row in report.invalid:
        for problem in row.problems:
            click.echo(f"  {_where(row)}: {problem}")
    for sheet in report.ignored:
        click.echo(f"  sheet {sheet} was not read: its first row names no known columns.")
    click.echo(
        f"{len(report.rows)} rows read: {len(report.valid)} valid, "
        f"{len(report.invalid)} with problems, {len(report.skipped)} empty."
    )


@click.command("import-assessments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the importing user (the contributor)")
@click.option("--commit", is_flag=True, help="Import the valid rows; without it, only check")
@with_appcontext
def import_assessments_command(file: Path, email: str, commit: bool) -> None:
    """Check FILE (.xlsx, .ods, CSV or JSON); with --commit, submit its valid rows for review,
    as one batch credited to the user named by --as."""
    actor = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if actor is None or not actor.active:
        raise click.ClickException(f"No active user {email}.")
    data = file.read_bytes()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            parsed = bulk_import.parse(data)
            with click.progressbar(
                length=parsed.row_count, label="Checking", file=sys.stderr
            ) as bar:
                report = bulk_import.check_parsed(actor, parsed, bar.update)
            _report(report)
            if not commit:
                click.echo("Dry run: nothing was written. Add --commit to import the valid rows.")
                if report.invalid:
                    raise SystemExit(1)
                return
            with click.progressbar(
                length=len(report.valid), label="Importing", file=sys.stderr
            ) as bar:
                # Checked a moment ago: written without a second check (write_rows still
                # refuses an assessment opened meanwhile).
                report = bulk_import.write(actor, report, file.name, bar.update)
        except ServiceError as error:
            raise click.ClickException(f"Nothing was imported: {error}") from None
    click.echo(
        f"Imported {report.imported} items as batch {report.batch_id}; they now wait for review."
    )
