"""Helpers shared by the admin tests."""

import re

from sqlalchemy import select

from assess.extensions import db
from assess.models import AuditEvent, OutboxEmail

LINK = re.compile(r"https?://\S+/account/(invitation|reset)/(\S+)")


def last_mail(recipient: str) -> OutboxEmail:
    mail = db.session.scalar(
        select(OutboxEmail)
        .where(OutboxEmail.recipient == recipient)
        .order_by(OutboxEmail.id.desc())
    )
    assert mail is not None, f"no e-mail to {recipient}"
    return mail


def link_in(mail: OutboxEmail) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(0).split("localhost", 1)[1]


def audit_actions(**where) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def page(response) -> str:
    return response.get_data(as_text=True)
