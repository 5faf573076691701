"""The `assess` command line (SPEC §5). `flask --app assess …` offers the same commands."""

import os
import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from .config import ConfigError
from .services import accounts, demo, generate
from .services import seed as seed_service
from .services.errors import ServiceError


def _create_cli_app() -> Flask:
    from . import create_app

    # Maintenance commands need no secret key; serving does, and checks it in create_app.
    return create_app({"SECRET_KEY_REQUIRED": False})


@click.group(cls=FlaskGroup, create_app=_create_cli_app, add_default_commands=True)
def cli() -> None:
    """assess: child-protection law assessments."""


def main() -> None:
    """The `assess` console script: configuration errors are one line, not a traceback."""
    try:
        cli()
    except ConfigError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    for command in (seed_command, demo_data_command, create_user_command, demo_command):
        app.cli.add_command(command)
    app.cli.add_command(freeze_command)
    for command in (export_command, import_command):
        app.cli.add_command(command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(check_links_command)
    from . import research_cli

    research_cli.register(app)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("freeze")
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option(
    "--base-url",
    default=None,
    help="The address the copy will be served from, for permalinks (e.g. https://example.org).",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="Render pages in this many processes (default: one per core).",
)
@click.option(
    "--languages",
    default=None,
    help="Comma-separated languages to write under their own prefix (/fr/…), "
    "'none' for the default language only (default: every language).",
)
@with_appcontext
def freeze_command(
    outdir: str, base_url: str | None, processes: int | None, languages: str | None
) -> None:
    """Write the whole public site to OUTDIR as static files, each language under its prefix."""
    from .public.freeze import freeze_pages, make_freezer, page_count

    if base_url:
        current_app.config["PUBLIC_BASE_URL"] = base_url
    chosen = None
    if languages is not None:
        chosen = [code.strip() for code in languages.split(",") if code.strip() not in ("", "none")]
        unknown = sorted(set(chosen) - set(current_app.config["LANGUAGES"]))
        if unknown:
            _fail(
                f"Unknown language {', '.join(unknown)}: use {', '.join(current_app.config['LANGUAGES'])}."
            )
    freezer = make_freezer(current_app, outdir, chosen)
    total = page_count(freezer)
    with click.progressbar(
        freeze_pages(freezer, processes),
        length=total,
        label="Writing the public site",
        item_show_func=lambda page: page.url if page else None,
    ) as pages:
        written = sum(1 for _ in pages)
    click.echo(f"Wrote {written} files to {outdir}.")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add every ISO 3166-1 country and the default indicators (idempotent)."""
    countries, indicators = seed_service.seed()
    click.echo(f"Added {countries} countries and {indicators} indicators.")


@click.command("demo-data")
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=None,
    help="Also fill every country x indicator with this many published versions.",
)
@click.option(
    "--indicators",
    type=click.IntRange(min=1),
    default=None,
    help="With --scale: grow the framework to this many indicators first.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed for --scale.")
@with_appcontext
def demo_data_command(scale: int | None, indicators: int | None, seed: int) -> None:
    """Load the demo users and the Kazakhstan profile (and, with --scale, much more)."""
    try:
        logins = demo.load_demo_data()
    except ServiceError as error:
        if scale is None:
            _fail(str(error))
        logins = []
    if logins:
        _print_logins(logins)
    if scale is not None:
        if indicators:
            generate.add_indicators(indicators)

        def progress(countries):
            with click.progressbar(countries, label="Generating countries") as bar:
                yield from bar

        counts = generate.generate(scale, seed=seed, progress=progress)
        click.echo(", ".join(f"{value} {name}" for name, value in counts.items()))


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("Demo logins (e-mail / password / role):")
    for email, password, role in logins:
        click.echo(f"  {email:<26} {password:<24} {role}")


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, help="reviewer, supervisor or admin")
@click.option("--country", "countries", multiple=True, help="ISO 3166-1 alpha-2 code; repeatable")
@click.option("--name", default="", help="Display name")
@with_appcontext
def create_user_command(email: str, role: str, countries: tuple[str, ...], name: str) -> None:
    """Create a user; the password is prompted for, or read from stdin when piped."""
    try:
        accounts.normalise_email(email)
        accounts.parse_grants(role, list(countries))
        password = _read_password()
        user = accounts.create_user(None, email, password, role, list(countries), name=name)
    except ServiceError as error:
        _fail(str(error))
    where = ", ".join(countries) if countries else "all countries"
    click.echo(f"Created {user.email} as {role} for {where}.")


@click.command("demo")
@click.option("--port", default=5000, show_default=True)
def demo_command(port: int) -> None:
    """Migrate, seed, load the demo data and serve on 127.0.0.1."""
    from . import create_app

    config = {
        "SECRET_KEY": os.environ.get("ASSESS_SECRET_KEY") or secrets.token_hex(32),
        # The demo is served over plain http on the loopback address.
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "BASE_URL": os.environ.get("ASSESS_BASE_URL") or f"http://127.0.0.1:{port}",
        "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
        "LOG_FORMAT": os.environ.get("ASSESS_LOG_FORMAT") or "text",
    }
    app = create_app(config)
    with app.app_context():
        upgrade(directory=current_app.extensions["migrate"].directory)
        seed_service.seed()
        try:
            logins = demo.load_demo_data()
        except ServiceError:
            logins = [(email, password, role) for email, password, role, *_ in demo.DEMO_USERS]
            click.echo("Demo data already loaded.")
        click.echo(f"Database: {app.config['SQLALCHEMY_DATABASE_URI']}")
        _print_logins(logins)
    click.echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    # app.run() refuses to serve inside a CLI command; werkzeug's server is what it would use.
    run_simple("127.0.0.1", port, app, threaded=True)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--rows-only", is_flag=True, help="Write the rows alone, as JSON Lines, no files.")
@with_appcontext
def export_command(file: str, rows_only: bool) -> None:
    """Write the whole site to FILE ("-" for standard output): one tar archive with every row
    and every uploaded file."""
    from . import archive
    from .services import backup

    total = sum(backup.count_rows().values())
    db_session_end()
    to_stdout = file == "-"
    mode, encoding = ("w", "utf-8") if rows_only else ("wb", None)
    with (
        click.open_file(file, mode, encoding=encoding, atomic=not to_stdout) as out,
        click.progressbar(length=total, label="Exporting", file=sys.stderr) as bar,
    ):
        if rows_only:
            counts, files = backup.export(out, progress=bar.update), 0
        else:
            counts, files = archive.export(out, progress=bar.update)
    tables = len(counts)
    click.echo(
        f"Exported {sum(counts.values())} rows from {tables} tables, {files} files.", err=True
    )


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(file: str) -> None:
    """Load FILE, made by `assess export`, into an empty database: all of it or nothing."""
    from . import archive
    from .services import backup

    refused = f"{file} was not imported; nothing changed."
    try:
        if archive.is_archive(file):
            checked = archive.read(file)
        else:
            with open(file, encoding="utf-8") as source:
                checked = archive.Checked(backup.read(source), {})
    except UnicodeDecodeError as error:
        _fail(f"{file} is not UTF-8 text: {error}")
    except backup.BackupError as error:
        _fail(f"{refused} {error}")
    try:
        with click.progressbar(
            length=checked.plan.total, label="Importing", file=sys.stderr
        ) as bar:
            counts, files = archive.write(checked, progress=bar.update)
    except ServiceError as error:
        _fail(f"{refused} {error}")
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables, {files} files.")


def db_session_end() -> None:
    """End the read transaction the count opened, so that the export takes its own snapshot."""
    from .extensions import db

    db.session.commit()


@click.command("send-mail")
@click.option("--limit", type=int, default=None, help="Send at most this many messages.")
@click.option(
    "--max-attempts",
    type=int,
    default=None,
    help="Skip messages that already failed this many times (they stay in the outbox).",
)
@with_appcontext
def send_mail_command(limit: int | None, max_attempts: int | None) -> None:
    """Send the e-mails waiting in the outbox (console backend unless ASSESS_MAIL_BACKEND=smtp)."""
    from .services import mail

    try:
        backend = mail.backend_from_config(current_app.config, echo=click.echo)
    except mail.MailError as error:
        _fail(str(error))
    report = mail.send_pending(
        backend, current_app.config["MAIL_SENDER"], limit=limit, max_attempts=max_attempts
    )
    click.echo(f"Sent {report.sent}, failed {report.failed}.")
    if report.failed:
        sys.exit(1)


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Write the daily digest of everyone who chose one, for the outbox (run once a day)."""
    from .services import digests

    click.echo(f"Wrote {digests.send_digests()} digest e-mails.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the background jobs (mail) from the queue in ASSESS_REDIS_URL, retrying failures."""
    from . import jobs

    if jobs.mode(current_app.config) != "rq":
        _fail(
            "assess worker takes jobs from Redis: set ASSESS_REDIS_URL (without it, jobs run "
            "in the web process)."
        )
    jobs.work(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]


@click.command("check-links")
@click.option("--all", "everything", is_flag=True, help="Check every link, however recent.")
@click.option("--queue", is_flag=True, help="Ask the background worker to check them instead.")
@with_appcontext
def check_links_command(everything: bool, queue: bool) -> None:
    """Check the cited links of public and open versions (run it daily, e.g. from cron):
    those checked longer ago than ASSESS_LINK_CHECK_INTERVAL, or all with --all."""
    from . import jobs
    from .models import LinkState
    from .services import links

    if queue:
        jobs.dispatch("check_links", ())
        click.echo("Asked for a check of the links.")
        return
    rows = links.check_due(everything=everything)
    counts = {state.value: 0 for state in LinkState}
    for row in rows:
        counts[row.state] += 1
    summary = ", ".join(f"{state} {count}" for state, count in counts.items())
    click.echo(f"Checked {len(rows)} links: {summary}.")
