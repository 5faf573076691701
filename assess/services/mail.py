"""Sending the outbox: e-mails written by transitions, delivered after their commit.

Delivery is at least once: a message is marked sent only after the backend accepted it, so a
crash between the two sends it again rather than losing it. A failure keeps the row, counts the
attempt and records the error; the next run retries it. Run one `assess send-mail` at a time
(e.g. from cron, under `flock`), or two runs may both send the same pending message.
"""

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select, update

from ..database import write_transaction
from ..extensions import db
from ..models import OutboxEmail

MAX_ERROR_LENGTH = 2000


class MailError(RuntimeError):
    """The mail configuration cannot work; the message says what to fix."""


class Backend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleBackend:
    """Prints each message: the default, for development and the demo."""

    def __init__(self, echo: Callable[[str], None] = print) -> None:
        self.echo = echo

    def send(self, message: EmailMessage) -> None:
        self.echo(message.as_string())


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class SmtpBackend:
    host: str
    port: int = 587
    user: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def backend_from_config(config: dict, echo: Callable[[str], None] = print) -> Backend:
    """`ASSESS_MAIL_BACKEND=smtp` with `ASSESS_SMTP_HOST`, `_PORT`, `_USER`, `_PASSWORD`,
    `_STARTTLS`; anything else unset means the console."""
    name = str(config.get("MAIL_BACKEND") or "console").lower()
    if name == "console":
        return ConsoleBackend(echo)
    if name != "smtp":
        raise MailError(f"ASSESS_MAIL_BACKEND={name!r}: use 'console' or 'smtp'.")
    host = config.get("SMTP_HOST")
    if not host:
        raise MailError("ASSESS_MAIL_BACKEND=smtp needs ASSESS_SMTP_HOST.")
    try:
        port = int(config.get("SMTP_PORT") or 587)
    except (TypeError, ValueError):
        raise MailError("ASSESS_SMTP_PORT must be a port number, e.g. 587.") from None
    return SmtpBackend(
        host=str(host),
        port=port,
        user=str(config.get("SMTP_USER") or ""),
        password=str(config.get("SMTP_PASSWORD") or ""),
        starttls=_flag(config.get("SMTP_STARTTLS", True)),
    )


def compose(row: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message.set_content(row.body)
    return message


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def send_pending(
    backend: Backend, sender: str, *, limit: int | None = None, max_attempts: int | None = None
) -> SendReport:
    """Send unsent outbox rows, oldest first; each outcome is committed on its own."""
    pending = select(OutboxEmail.id).where(OutboxEmail.sent_at.is_(None)).order_by(OutboxEmail.id)
    if max_attempts is not None:
        pending = pending.where(OutboxEmail.attempts < max_attempts)
    if limit is not None:
        pending = pending.limit(limit)
    ids = list(db.session.scalars(pending))
    db.session.commit()  # end the read: no transaction stays open while talking to the server
    report = SendReport()
    for row_id in ids:
        outcome = send_one(backend, sender, row_id)
        if outcome is False:
            report.failed += 1
        elif outcome is True:
            report.sent += 1
    return report


def send_one(backend: Backend, sender: str, row_id: int) -> bool | None:
    """Send one outbox row: True when sent, False when the backend failed (the error is
    recorded on the row), None when there was nothing to send (gone, or sent already)."""
    row = db.session.get(OutboxEmail, row_id)
    if row is None or row.sent_at is not None:
        db.session.commit()
        return None
    message = compose(row, sender)
    db.session.commit()  # no transaction stays open while talking to the server
    try:
        backend.send(message)
    except Exception as error:  # any failure: keep the mail, record why, try again later
        _record(row_id, error=f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH])
        return False
    _record(row_id, error=None)
    return True


def _record(row_id: int, error: str | None) -> None:
    values: dict = {"attempts": OutboxEmail.attempts + 1, "last_error": error}
    if error is None:
        values["sent_at"] = datetime.now(UTC)
    with write_transaction() as session:
        session.execute(update(OutboxEmail).where(OutboxEmail.id == row_id).values(**values))
