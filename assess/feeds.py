"""Atom feeds of publications and retractions, site-wide and per country (feedgen): of published
versions, and of replies from organisations once approved or taken off again."""

from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from . import organisation
from .extensions import db
from .i18n import country_name, reference_text
from .models import Assessment, Country, Indicator, Reply, Version
from .public.helpers import absolute_url, permalink
from .queries.opendata import reply_url
from .rendering import render_markdown, status_label
from .workflow import PUBLIC_STATES, State

ENTRIES = 50
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # an empty feed's date: stable, so caches agree


@dataclass(frozen=True)
class Event:
    kind: str  # "published" or "retracted"
    at: datetime
    version: Version
    country: Country
    indicator: Indicator


@dataclass(frozen=True)
class ReplyEvent:
    kind: str  # "published" or "retracted"
    at: datetime
    reply: Reply
    country: Country
    indicator: Indicator


def events(country: Country | None = None, limit: int = ENTRIES) -> list[Event | ReplyEvent]:
    """The latest publications and retractions of versions and replies, newest first: three
    statements."""
    base = (
        select(Version, Country, Indicator)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .join(Country, Country.id == Assessment.country_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .options(joinedload(Version.decided_by))
    )
    if country is not None:
        base = base.where(Assessment.country_id == country.id)
    public = [s.value for s in PUBLIC_STATES]
    published = db.session.execute(
        base.where(Version.state.in_(public)).order_by(Version.published_at.desc()).limit(limit)
    ).all()
    retracted = db.session.execute(
        base.where(Version.state == State.RETRACTED.value)
        .order_by(Version.retracted_at.desc())
        .limit(limit)
    ).all()
    # Public versions carry the date of their state: published_at, and retracted_at once retracted.
    found: list[Event | ReplyEvent]
    found = [Event("published", v.published_at, v, c, i) for v, c, i in published]  # type: ignore[arg-type]
    found += [Event("retracted", v.retracted_at, v, c, i) for v, c, i in retracted]  # type: ignore[arg-type]
    found += reply_events(country, limit)
    return sorted(found, key=lambda e: (e.at, e.kind), reverse=True)[:limit]


def reply_events(country: Country | None, limit: int) -> list[ReplyEvent]:
    """Approved replies, and those taken off again: a reply's last change is its approval or
    its retraction (neither is edited afterwards), so one statement finds both."""
    statement = (
        select(Reply, Country, Indicator)
        .join(Assessment, Assessment.id == Reply.assessment_id)
        .join(Country, Country.id == Assessment.country_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Reply.state.in_([State.PUBLISHED.value, State.RETRACTED.value]))
        .order_by(Reply.updated_at.desc(), Reply.id.desc())
        .limit(limit)
    )
    if country is not None:
        statement = statement.where(Reply.country_id == country.id)
    return [ReplyEvent(r.state, r.updated_at, r, c, i) for r, c, i in db.session.execute(statement)]


def _reply_entry(feed: FeedGenerator, event: ReplyEvent) -> None:
    """A retracted reply's text leaves the feed as it leaves the page; an entry says it went."""
    reply, country, indicator = event.reply, event.country, event.indicator
    link = reply_url(country, indicator, reply)
    names = {
        "organisation": reply.organisation,
        "indicator": reference_text(indicator.title),
        "country": country_name(country.name),
    }
    entry = feed.add_entry(order="append")
    # A withdrawn reply is no longer on the page: the link leads to the assessment.
    page = link if event.kind == State.PUBLISHED.value else link.partition("#")[0]
    entry.link(href=page, rel="alternate")
    entry.published(reply.decided_at or event.at)
    entry.updated(event.at)
    if event.kind == State.PUBLISHED.value:
        entry.id(link)
        entry.title(_("Reply from %(organisation)s on %(indicator)s — %(country)s", **names))
        entry.content(str(render_markdown(reply.text)), type="html")
    else:
        entry.id(link + "-withdrawn")
        entry.title(_("Reply withdrawn: %(organisation)s on %(indicator)s — %(country)s", **names))


def _entry(feed: FeedGenerator, event: Event) -> None:
    version, country, indicator = event.version, event.country, event.indicator
    link = permalink(country, indicator, version)
    names = {
        "indicator": reference_text(indicator.title),
        "country": country_name(country.name),
        "number": version.number,
        "status": status_label(version.status),
    }
    entry = feed.add_entry(order="append")
    entry.link(href=link, rel="alternate")
    entry.published(version.published_at)
    entry.updated(event.at)
    if event.kind == "published":
        entry.id(link)
        entry.title(_("%(country)s, %(indicator)s: %(status)s (version %(number)s)", **names))
        entry.content(str(render_markdown(version.analysis)), type="html")
    else:
        entry.id(link + "#withdrawn")
        entry.title(_("Withdrawn: %(country)s, %(indicator)s (version %(number)s)", **names))
        entry.content(version.retraction_reason or "", type="text")


def atom(country: Country | None = None) -> bytes:
    publisher = organisation.current()
    if country is None:
        self_path, page_path = url_for("public.feed"), url_for("public.index")
        title = _("%(organisation)s: publications and withdrawals", organisation=publisher.name)
    else:
        iso2 = country.iso2.lower()
        self_path = url_for("public.country_feed", iso2=iso2)
        page_path = url_for("public.country", iso2=iso2)
        title = _(
            "%(organisation)s: %(country)s, publications and withdrawals",
            organisation=publisher.name, country=country_name(country.name),
        )  # fmt: skip
    feed = FeedGenerator()
    feed.id(absolute_url(self_path))
    feed.title(title)
    feed.author({"name": publisher.name, "uri": publisher.url or None})
    feed.link(href=absolute_url(self_path), rel="self", type="application/atom+xml")
    feed.link(href=absolute_url(page_path), rel="alternate", type="text/html")
    licence = current_app.config.get("DATA_LICENCE") or {}
    if licence.get("title"):
        feed.rights(licence["title"])
    found = events(country)
    feed.updated(found[0].at if found else EPOCH)
    for event in found:
        if isinstance(event, ReplyEvent):
            _reply_entry(feed, event)
        else:
            _entry(feed, event)
    return feed.atom_str(pretty=True)
