"""The `assess` command line (SPEC §5). `flask --app assess …` offers the same commands."""

import os
import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .services import accounts, demo
from .services import seed as seed_service
from .services.errors import ServiceError


def _create_cli_app() -> Flask:
    from . import create_app

    # Maintenance commands need no secret key; serving does, and checks it in create_app.
    return create_app({"SECRET_KEY_REQUIRED": False})


@click.group(cls=FlaskGroup, create_app=_create_cli_app, add_default_commands=True)
def main() -> None:
    """assess: child-protection law assessments."""


def register(app: Flask) -> None:
    for command in (seed_command, demo_data_command, create_user_command, demo_command):
        app.cli.add_command(command)
    app.cli.add_command(send_mail_command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add every ISO 3166-1 country and the default indicators (idempotent)."""
    countries, indicators = seed_service.seed()
    click.echo(f"Added {countries} countries and {indicators} indicators.")


@click.command("demo-data")
@with_appcontext
def demo_data_command() -> None:
    """Load the demo users and the Kazakhstan profile."""
    try:
        logins = demo.load_demo_data()
    except ServiceError as error:
        _fail(str(error))
    _print_logins(logins)


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
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)


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
