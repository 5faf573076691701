"""What a checked page said, kept so that the person deciding about a "changed" link sees what
changed before marking it as checked: a footer's date, or the age in Article 12.

The checks and the archive's captures (in the background, before their results are recorded)
keep the visible text (`assess.fingerprint.visible_text`) of each HTML answer whose content
fingerprint is not its link's baseline already, gzip-compressed in the file storage and named
by that fingerprint (`linktext-<fingerprint>.txt.gz`): one content is kept once, whichever
links show it, and only when it is new for a link. A link's first answer is its baseline and is
kept too. A baseline from before texts were kept has none; an archived copy with that content
stands in for it when there is one.
"""

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext
from lxml import etree
from sqlalchemy import select

from .. import diffing, linkcheck
from ..extensions import db
from ..fingerprint import content_fingerprint, is_html, visible_text
from ..models import ArchivedCopy, LinkCheck, LinkState, User
from ..queries import evidence_health
from ..storage import current as current_storage
from .errors import NotFound
from .permissions import can_read_staff

FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def name_for(fingerprint: str) -> str:
    return f"linktext-{fingerprint}.txt.gz"


def keep(results: Iterable[linkcheck.Fetched]) -> int:
    """Keep the text of each working, whole HTML answer that is new for its link; returns how
    many were written. Runs outside any write transaction (storage may be a network away)."""
    wanted = {r.url: r for r in results if r.works and not r.truncated and is_html(r.content_type)}
    if not wanted:
        return 0
    rows = db.session.execute(
        select(LinkCheck.url, LinkCheck.baseline_sha256).where(LinkCheck.url.in_(list(wanted)))
    )
    baselines: dict[str, str] = dict(rows.all())  # type: ignore[arg-type]
    db.session.commit()  # no read snapshot held while the storage is written
    storage = current_storage()
    written = 0
    for url, result in wanted.items():
        fingerprint = result.fingerprint
        if baselines.get(url) == fingerprint or not FINGERPRINT.match(fingerprint):
            continue  # kept when it became the baseline (or from before texts were kept)
        name = name_for(fingerprint)
        if storage.exists(name):
            continue
        try:
            text = visible_text(result.body, result.content_type)
        except etree.LxmlError:  # fingerprinted as bytes then: no text to show
            continue
        storage.put(name, gzip.compress(text.encode("utf-8")))
        written += 1
    return written


def text_of(fingerprint: str) -> str | None:
    """The kept text with this fingerprint, or None."""
    if not FINGERPRINT.match(fingerprint or ""):
        return None
    opened = current_storage().open(name_for(fingerprint))
    if opened is None:
        return None
    with opened:
        return gzip.decompress(opened.read()).decode("utf-8", "replace")


def _archived_text(url: str, fingerprint: str) -> str | None:
    """The text of an archived copy of `url` whose content has this fingerprint, or None."""
    storage = current_storage()
    copies = db.session.scalars(
        select(ArchivedCopy)
        .where(ArchivedCopy.url == url, ArchivedCopy.stored_name.like("%.html"))
        .order_by(ArchivedCopy.captured_at.desc())
    )
    for copy in copies:
        opened = storage.open(copy.stored_name)
        if opened is None:
            continue
        with opened:
            body = opened.read()
        if content_fingerprint(body, copy.content_type) == fingerprint:
            return visible_text(body, copy.content_type)
    return None


@dataclass(frozen=True)
class Change:
    check: LinkCheck
    comparison: diffing.Comparison | None  # None: a text is missing
    before_kept: bool
    now_kept: bool


def what_changed(user: User, country_id: int, check_id: int) -> Change:
    """A changed link of the country's evidence: its baseline's text against its latest."""
    check = db.session.get(LinkCheck, check_id)
    if (
        not can_read_staff(user, country_id)
        or check is None
        or check.state != LinkState.CHANGED
        or not evidence_health.cites(country_id, check.url)
    ):
        raise NotFound(gettext("No changed link with this number among this country's evidence."))
    before = text_of(check.baseline_sha256) or _archived_text(check.url, check.baseline_sha256)
    now = text_of(check.sha256)
    comparison = diffing.passages(before, now) if before is not None and now is not None else None
    return Change(check, comparison, before is not None, now is not None)
