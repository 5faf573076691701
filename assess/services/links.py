"""Checked links: every URL a citation or a source gives, checked in the background when it is
saved, when its version is submitted (before a supervisor approves it) and periodically after
(`assess check-links`, the `check_links` job), never in a web request.

The network part (`assess/linkcheck.py`) runs outside any transaction; its results are written
in one. A result the public pages show (when a cited link was last seen working, whether it
answers) moves the public revision with one "evidence" audit event per run, and only when such a
result changed: a periodic check that finds everything as it was leaves the public pages alone.
"""

from collections.abc import Iterable
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

import redis
from flask import current_app
from flask_babel import gettext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .. import jobs, linkcheck
from ..database import write_transaction
from ..extensions import db
from ..models import Citation, LinkCheck, LinkState, Source, User, Version, utcnow
from ..queries import evidence_health
from ..workflow import OPEN_STATES, PUBLIC_STATES
from . import audit, link_texts
from .errors import Conflict, NotFound, PermissionDenied
from .permissions import may_vouch_for_evidence

CHECKED = "links_checked"
ACKNOWLEDGED = "acknowledge_link"


def settings(config=None, max_bytes: int | None = None) -> linkcheck.Settings:
    config = config or current_app.config
    agent = config.get("LINK_CHECK_USER_AGENT")
    if not agent:
        base = config.get("BASE_URL")
        agent = "assess-link-checker/1.0" + (f" (+{base})" if base else "")
    return linkcheck.Settings(
        user_agent=agent,
        timeout=float(config.get("LINK_CHECK_TIMEOUT") or 10),
        host_delay=float(config.get("LINK_CHECK_HOST_DELAY") or 0),
        max_bytes=int(max_bytes or config.get("LINK_CHECK_MAX_BYTES") or 10 * 1024 * 1024),
        hosts_at_once=int(config.get("LINK_CHECK_HOSTS_AT_ONCE") or 4),
    )


def urls_of(version: Version) -> list[str]:
    """The web URLs a version gives, in its order, each once."""
    found = [c.url for c in version.citations] + [s.url for s in version.sources]
    return [u for u in dict.fromkeys(u.strip() for u in found) if linkcheck.is_web_url(u)]


def public_urls(session: Session, among: list[str]) -> set[str]:
    """Those of `among` that public versions give: what the public pages may show the check of."""
    public = [s.value for s in PUBLIC_STATES]
    found: set[str] = set()
    for model in (Citation, Source):
        found |= set(
            session.scalars(
                select(model.url)
                .join(Version, Version.id == model.version_id)
                .where(Version.state.in_(public), model.url.in_(among))
            )
        )
    return found


def _cited_urls(session: Session) -> set[str]:
    """The URLs public and open versions give: what the periodic check renews."""
    states = [s.value for s in (*PUBLIC_STATES, *OPEN_STATES)]
    found = set(
        session.scalars(select(Citation.url).join(Version).where(Version.state.in_(states)))
    )
    found |= set(session.scalars(select(Source.url).join(Version).where(Version.state.in_(states))))
    return {u.strip() for u in found if linkcheck.is_web_url(u)}


def _public_view(row: LinkCheck | None) -> tuple:
    """What the public pages show of a check: the day last seen working, and whether it fails."""
    if row is None:
        return (None, False)
    return (row.last_ok_at.date() if row.last_ok_at else None, row.state == LinkState.BROKEN)


def _apply(row: LinkCheck, result: linkcheck.Fetched, at: datetime) -> None:
    if result.blocked:
        state = LinkState.BLOCKED
    elif not result.works:
        state = LinkState.BROKEN
    else:
        # Content fingerprints (`assess.fingerprint`), not raw digests: a page whose scripts or
        # tokens change on every request is not "changed". None yet (a new link, or one whose
        # baseline a migration cleared): this answer becomes it.
        row.baseline_sha256 = row.baseline_sha256 or result.fingerprint
        state = LinkState.OK if result.fingerprint == row.baseline_sha256 else LinkState.CHANGED
        row.last_ok_at = at
        row.sha256 = result.fingerprint
    if row.state != state.value:
        row.state_since = at
    row.state = state.value
    row.http_status = result.status
    row.final_url = (result.final_url or "")[:2000]
    row.content_type = result.content_type[:200]
    row.error = result.error[:300]
    row.checked_at = at


def record(session: Session, results: Iterable[linkcheck.Fetched], at: datetime | None = None):
    """Store the results in the caller's transaction; one public audit event if any result the
    public pages show changed. Returns the rows."""
    at = at or utcnow()
    results = [r for r in results if len(r.url) <= 500]
    if not results:
        return []
    existing = {
        row.url: row
        for row in session.scalars(
            select(LinkCheck).where(LinkCheck.url.in_([r.url for r in results]))
        )
    }
    shown = public_urls(session, [r.url for r in results])
    moved = 0
    rows = []
    for result in results:
        row = existing.get(result.url)
        before = _public_view(row)
        if row is None:
            row = LinkCheck(url=result.url, host=linkcheck.host_of(result.url)[:255], state="")
            session.add(row)
        _apply(row, result, at)
        rows.append(row)
        if result.url in shown and _public_view(row) != before:
            moved += 1
    if moved:
        details = {"checked": len(rows), "public_changes": moved}
        audit.record_many(session, [audit.entry(None, CHECKED, "evidence", None, details=details)])
    return rows


def host_lock(config=None):
    """With the queue (several workers, maybe on several machines), a Redis lock per host, so
    that one host is still checked by one of them at a time; without it the slow jobs run on
    one thread of the process, in turn, and need none."""
    config = config or current_app.config
    if jobs.mode(config) != "rq":
        return None
    connection = jobs.redis_connection()
    prefix = config.get("REDIS_KEY_PREFIX") or "assess:"
    logger = current_app.logger

    @contextmanager
    def lock(host: str):
        # Expires on its own should the worker die holding it.
        held = connection.lock(f"{prefix}linkcheck:host:{host}", timeout=6 * 3600)
        try:
            held.acquire()
        except redis.RedisError:  # Redis away: this process alone is still polite
            logger.warning("no Redis lock for %s: checked without it", host)
            yield
            return
        try:
            yield
        finally:
            with suppress(redis.RedisError):
                held.release()

    return lock


def check_urls(urls: Iterable[str], config=None) -> list[LinkCheck]:
    """Check the URLs (over the network, outside any transaction), then store the results."""
    db.session.commit()  # no read snapshot held while the network is waited for
    results = linkcheck.check_all(urls, settings(config), host_lock=host_lock(config))
    link_texts.keep(results.values())  # before the results: a "changed" link has its text
    with write_transaction() as session:
        return record(session, results.values())


def _stale(session: Session, urls: Iterable[str], older_than: timedelta | None) -> list[str]:
    urls = list(dict.fromkeys(urls))
    if older_than is None or not urls:
        return urls
    fresh = set(
        session.scalars(
            select(LinkCheck.url).where(
                LinkCheck.url.in_(urls), LinkCheck.checked_at >= utcnow() - older_than
            )
        )
    )
    return [u for u in urls if u not in fresh]


def check_version(version_id: int, fresh_seconds: int = 0) -> list[LinkCheck]:
    """The job run on save (`fresh_seconds`: links checked that recently are left alone) and
    on submit (0: all of them, for the supervisor)."""
    version = db.session.get(Version, version_id)
    if version is None:
        return []
    older = timedelta(seconds=fresh_seconds) if fresh_seconds else None
    return check_urls(_stale(db.session(), urls_of(version), older))


def check_due(everything: bool = False) -> list[LinkCheck]:
    """The periodic check: every cited link of a public or open version last checked longer
    ago than `LINK_CHECK_INTERVAL` (all of them with `everything`)."""
    interval = int(current_app.config.get("LINK_CHECK_INTERVAL") or 24 * 3600)
    older = None if everything else timedelta(seconds=interval)
    return check_urls(_stale(db.session(), sorted(_cited_urls(db.session())), older))


def checks_for(urls: Iterable[str]) -> dict[str, LinkCheck]:
    urls = [u.strip() for u in urls if u and u.strip()]
    if not urls:
        return {}
    return {
        row.url: row for row in db.session.scalars(select(LinkCheck).where(LinkCheck.url.in_(urls)))
    }


def problem_filter():
    return or_(
        LinkCheck.state == LinkState.BROKEN.value, LinkCheck.state == LinkState.CHANGED.value
    )


def accept_current(session: Session, version: Version) -> None:
    """On approval: the content the supervisor approved (its links shown "changed" on the review
    screen, if they were) is what later checks compare with."""
    urls = urls_of(version)
    if urls:
        session.execute(
            update(LinkCheck)
            .where(LinkCheck.url.in_(urls), LinkCheck.state == LinkState.CHANGED.value)
            .values(baseline_sha256=LinkCheck.sha256, state=LinkState.OK.value)
        )


def acknowledge(user: User, country_id: int, check_id: int, seen_sha256: str) -> LinkCheck:
    """Mark as checked: someone of the country looked at a changed link's new content and found
    it still supports what cites it, so that content (`seen_sha256`, the fingerprint the page
    showed them) becomes the baseline later checks compare with. The link is checked once for
    every country citing it: its other countries see it working again too.

    Not an "evidence" event: the public pages show a link broken or not, never changed."""
    with write_transaction() as session:
        if not may_vouch_for_evidence(user, country_id):
            raise PermissionDenied(
                gettext("Only a reviewer or supervisor of this country can do this.")
            )
        row = session.scalar(
            select(LinkCheck)
            .where(LinkCheck.id == check_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None or not evidence_health.cites(country_id, row.url):
            raise NotFound(gettext("No such link among this country's evidence."))
        if row.state != LinkState.CHANGED:
            raise Conflict(gettext("This link is not marked as changed any more."))
        if row.sha256 != seen_sha256:
            # A check after the page was shown found other content again: not what they saw.
            raise Conflict(gettext("This link changed again since the page was shown: look again."))
        replaced = row.baseline_sha256
        row.baseline_sha256 = row.sha256
        row.state = LinkState.OK.value
        row.state_since = utcnow()
        audit.record(
            user,
            ACKNOWLEDGED,
            row,
            country_id=country_id,
            details={"url": row.url, "baseline": row.sha256, "replaced": replaced},
        )
    return row
