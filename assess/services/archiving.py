"""Archived copies: when a version is approved, each document its citations and sources link to
(an HTML page or a PDF, up to `ARCHIVE_MAX_BYTES`) is copied into the file storage, named by the
raw SHA-256 of its bytes (integrity: the name proves the file), so that a reader can always see
what the reviewer relied on.

Runs as the `archive_version` job after the approval commits (never in the request). Nothing is
copied when `ARCHIVE_ENABLED` is off, from a host of `ARCHIVE_EXCLUDED_HOSTS` (or a subdomain of
one), or that robots.txt forbids. The copy's content fingerprint (`assess.fingerprint`, computed
from the stored bytes as every check computes it) becomes the link's baseline: a later check that
finds other content marks the link "changed", one that finds only other noise does not. The capture moves the public revision (an "evidence"
audit event), since the public pages link to it.
"""

import re
import urllib.parse
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from .. import linkcheck
from ..database import write_transaction
from ..extensions import db
from ..fingerprint import encoding_label, is_html, media_type
from ..models import ArchivedCopy, LinkCheck, LinkState, Version, utcnow
from ..storage import current as current_storage
from ..workflow import PUBLIC_STATES
from . import audit, link_texts, links

ARCHIVED = "archived"
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(html|pdf)$")


@dataclass(frozen=True)
class Document:
    url: str
    extension: str
    body: bytes
    raw_sha256: str  # of `body`: the stored name and `ArchivedCopy.sha256`
    fingerprint: str  # of `body` as a link check computes it: the link's baseline
    content_type: str  # served with the copy: an HTML page keeps the encoding it was read in


def enabled(config=None) -> bool:
    value = (config or current_app.config).get("ARCHIVE_ENABLED", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def excluded_hosts(config=None) -> list[str]:
    value = (config or current_app.config).get("ARCHIVE_EXCLUDED_HOSTS") or []
    if isinstance(value, str):
        value = value.split(",")
    return [h.strip().lower().lstrip(".") for h in value if h and h.strip()]


def is_excluded(url: str, hosts: list[str]) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def kind_of(result: linkcheck.Fetched) -> str | None:
    """ "html" or "pdf" for a document worth keeping whole, else None."""
    if not result.works or result.truncated or not result.body:
        return None
    declared = media_type(result.content_type)
    if declared == "application/pdf" or result.body.startswith(b"%PDF-"):
        return "pdf" if result.body.startswith(b"%PDF-") else None
    if is_html(declared):
        return "html"
    return None


def served_type(extension: str, result: linkcheck.Fetched) -> str:
    """The Content-Type the copy is served with. A page in windows-1251 served as UTF-8 would
    be unreadable, so an HTML copy names the encoding its server or the page itself declared."""
    if extension == "pdf":
        return "application/pdf"
    return f"text/html; charset={encoding_label(result.body, result.content_type)}"


def capture(version_id: int) -> list[ArchivedCopy]:
    """Copy the documents an approved version links to; those already copied are kept."""
    config = current_app.config
    version = db.session.get(Version, version_id)
    if version is None or version.state not in {s.value for s in PUBLIC_STATES}:
        return []
    if not enabled(config):
        return []
    hosts = excluded_hosts(config)
    done = set(
        db.session.scalars(select(ArchivedCopy.url).where(ArchivedCopy.version_id == version.id))
    )
    wanted = [u for u in links.urls_of(version) if u not in done and not is_excluded(u, hosts)]
    country_id = version.assessment.country_id
    db.session.commit()  # no read snapshot held while the network is waited for
    if not wanted:
        return []
    max_bytes = int(config.get("ARCHIVE_MAX_BYTES") or 10 * 1024 * 1024)
    results = linkcheck.check_all(wanted, links.settings(config, max_bytes=max_bytes))
    whole = [r for r in results.values() if not r.truncated]
    link_texts.keep(whole)
    documents = []
    storage = current_storage()
    for result in results.values():
        extension = kind_of(result)
        if extension is None:
            continue
        document = Document(
            result.url,
            extension,
            result.body,
            result.raw_sha256,
            result.fingerprint,
            served_type(extension, result),
        )
        name = f"{document.raw_sha256}.{extension}"
        if not storage.exists(name):
            storage.put(name, document.body)
        documents.append(document)
    with write_transaction() as session:
        # A body cut at the archive's limit is not the one a check fingerprints: left out.
        links.record(session, whole)
        copies = []
        at = utcnow()
        for document in documents:
            copy = ArchivedCopy(
                version_id=version_id,
                url=document.url,
                stored_name=f"{document.raw_sha256}.{document.extension}",
                sha256=document.raw_sha256,
                content_type=document.content_type,
                size=len(document.body),
                captured_at=at,
            )
            session.add(copy)
            copies.append(copy)
            check = session.scalar(select(LinkCheck).where(LinkCheck.url == document.url))
            if check is not None:  # what the reviewer relied on is what later checks compare with
                check.baseline_sha256 = document.fingerprint
                check.state = LinkState.OK.value
        if copies:
            details = {"version": version_id, "copies": len(copies)}
            entry = audit.entry(
                None, ARCHIVED, "evidence", version_id, country_id=country_id, details=details
            )
            audit.record_many(session, [entry])
    return copies


def copies_for(version_ids: list[int]) -> dict[tuple[int, str], ArchivedCopy]:
    """(version id, url) -> its archived copy."""
    if not version_ids:
        return {}
    rows = db.session.scalars(select(ArchivedCopy).where(ArchivedCopy.version_id.in_(version_ids)))
    return {(row.version_id, row.url): row for row in rows}


def open_copy(copy: ArchivedCopy):
    """The stored file, for `send_file`: a path on local storage, else its content."""
    if not STORED_NAME.match(copy.stored_name or ""):
        return None
    storage = current_storage()
    return storage.local_path(copy.stored_name) or storage.open(copy.stored_name)
