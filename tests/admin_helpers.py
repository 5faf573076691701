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


def docx_bytes(kind: str = "docx") -> bytes:
    """A minimal Office Open XML or OpenDocument container."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            inner = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
            archive.writestr(inner, "<document/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
