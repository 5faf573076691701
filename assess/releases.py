"""Dated releases of the open data: `assess release NAME` freezes what is published now as an
immutable set of files (the CSVs, the JSON, their data package and SHA-256 checksums), served
under /data/releases/<name>/ and citable ("the data as of 2026-12-01").

And the other way round: what was public on a given day (`public_on`), for `?as_of=` in the API."""

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import datapackage
from .database import write_transaction
from .extensions import db
from .models import Assessment, DataRelease, DataReleaseFile, Version
from .services import audit
from .services.errors import Conflict, ValidationError
from .workflow import PUBLIC_STATES

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
CHECKSUMS = "sha256sums.txt"  # a file name a static host serves as text


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create(name: str, now: datetime | None = None) -> DataRelease:
    """Write release `name`; a name is used once, ever (a release never changes)."""
    if not NAME.match(name or ""):
        raise ValidationError(
            "A release name is 1 to 40 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (e.g. 2026-12-01)."
        )
    if db.session.scalar(select(DataRelease.id).where(DataRelease.name == name)) is not None:
        raise Conflict(f"A release named {name!r} exists already; releases never change.")
    now = now or datetime.now(UTC)
    files = {
        "assessments.csv": ("text/csv", datapackage.table_csv()),
        "assessments.json": ("application/json", datapackage.document_json()),
        "replies.csv": ("text/csv", datapackage.replies_csv()),
    }
    package = datapackage.descriptor(version=name, created=now)
    for resource in package["resources"]:
        content = files[resource["path"]][1]
        resource["hash"] = "sha256:" + _sha256(content)
        resource["bytes"] = len(content.encode("utf-8"))
    files["datapackage.json"] = ("application/json", datapackage.json_text(package))
    sums = "".join(f"{_sha256(body)}  {filename}\n" for filename, (_t, body) in files.items())
    files[CHECKSUMS] = ("text/plain", sums)
    with write_transaction() as session:
        if session.scalar(select(DataRelease.id).where(DataRelease.name == name)) is not None:
            raise Conflict(f"A release named {name!r} exists already; releases never change.")
        release = DataRelease(name=name, created_at=now)
        for filename, (media_type, body) in files.items():
            release.files.append(
                DataReleaseFile(
                    filename=filename, media_type=media_type, sha256=_sha256(body), content=body
                )
            )
        session.add(release)
        session.flush()
        # The audit event also tells the public pages' validators that /data/ changed.
        audit.record(None, "release", release, details={"name": name})
    return release


def listed() -> list[DataRelease]:
    return list(
        db.session.scalars(
            select(DataRelease)
            .order_by(DataRelease.created_at.desc())
            .options(selectinload(DataRelease.files))
        )
    )


def by_name(name: str) -> DataRelease | None:
    return db.session.scalar(
        select(DataRelease).where(DataRelease.name == name).options(selectinload(DataRelease.files))
    )


def file(name: str, filename: str) -> DataReleaseFile | None:
    return db.session.scalar(
        select(DataReleaseFile)
        .join(DataRelease, DataRelease.id == DataReleaseFile.release_id)
        .where(DataRelease.name == name, DataReleaseFile.filename == filename)
    )


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def public_on(day: date, *conditions) -> dict[int, Version]:
    """Assessment id -> the version that was public at the end of `day` (UTC), for the
    assessments matching `conditions`; withdrawn or not yet published ones are left out."""
    until = end_of(day)
    latest: dict[int, Version] = {}
    for version in db.session.scalars(
        select(Version)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(
            Version.state.in_([s.value for s in PUBLIC_STATES]),
            Version.published_at < until,
            *conditions,
        )
        .order_by(Version.assessment_id, Version.published_at)
        .options(selectinload(Version.assessment))
    ):
        latest[version.assessment_id] = version
    return {
        assessment_id: version
        for assessment_id, version in latest.items()
        if version.retracted_at is None or version.retracted_at >= until
    }
