"""Read side of the indicator framework's history: the approved revisions of every indicator's
text (the public "methodology changes" page, each revision's own page), and the approved
translations of the texts in force, for every page that shows an indicator's title or rubric."""

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import translated
from ..extensions import db
from ..models import Indicator, IndicatorRevision
from ..models.framework import TEXT_FIELDS
from ..workflow import PUBLIC_STATES

PUBLIC = sorted(s.value for s in PUBLIC_STATES)


@dataclass(frozen=True)
class Change:
    """One approved revision and the one it replaced (None for an indicator's first text)."""

    revision: IndicatorRevision
    previous: IndicatorRevision | None

    @property
    def fields(self) -> list[str]:
        """The source fields it changed ("title", ...); all of them for a first text."""
        old = self.previous
        return [
            n for n in TEXT_FIELDS if old is None or getattr(old, n) != getattr(self.revision, n)
        ]

    def translated_fields(self, language: str) -> list[str]:
        """The fields whose translation into `language` it changed."""
        old = self.previous.translations if self.previous else None
        return [
            n
            for n in TEXT_FIELDS
            if translated.entry(old, language, n).get("text")
            != translated.entry(self.revision.translations, language, n).get("text")
        ]


def changes() -> list[Change]:
    """Every approved revision, newest first, with the one before it: one statement."""
    revisions = list(
        db.session.scalars(
            select(IndicatorRevision)
            .where(IndicatorRevision.state.in_(PUBLIC))
            .options(joinedload(IndicatorRevision.indicator))
            .order_by(IndicatorRevision.indicator_id, IndicatorRevision.number)
        )
    )
    found: list[Change] = []
    previous: IndicatorRevision | None = None
    for revision in revisions:
        same = previous is not None and previous.indicator_id == revision.indicator_id
        found.append(Change(revision, previous if same else None))
        previous = revision
    found.sort(key=lambda c: (c.revision.decided_at, c.revision.id), reverse=True)
    return found


def revisions_of(indicator: Indicator) -> list[IndicatorRevision]:
    """An indicator's approved revisions, oldest first."""
    return list(
        db.session.scalars(
            select(IndicatorRevision)
            .where(
                IndicatorRevision.indicator_id == indicator.id,
                IndicatorRevision.state.in_(PUBLIC),
            )
            .order_by(IndicatorRevision.number)
        )
    )


def approved_texts(language: str) -> dict[str, str]:
    """{text in force: its current approved translation into `language`} over every indicator:
    what `i18n.reference_text` shows instead of the original. Loaded once per public revision
    and language on anonymous public pages (the revision changes with every approval), once per
    request elsewhere."""
    if language == current_app.config["BABEL_DEFAULT_LOCALE"]:
        return {}
    revision = g.get("public_revision_key")  # set by `public.caching.validators`
    store = current_app.extensions.get("assess_fragments")
    if revision is not None and store is not None:
        return store.get_or_make(
            ("indicator-translations", revision, language),
            lambda: _load(language),
            size=lambda texts: 64 + sum(len(k) + len(v) for k, v in texts.items()),
        )
    cached = g.setdefault("indicator_translations", {})
    if language not in cached:
        cached[language] = _load(language)
    return cached[language]


def _load(language: str) -> dict[str, str]:
    found: dict[str, str] = {}
    columns = [getattr(Indicator, name) for name in TEXT_FIELDS]
    for row in db.session.execute(select(Indicator.translations, *columns)):
        sources = dict(zip(TEXT_FIELDS, row[1:], strict=True))
        found |= translated.by_source(row[0], language, sources)
    return found
