"""Writing the search index: what the public sees of an assessment, as text.

`update` is called by publication and retraction inside their transaction, so the index never
says anything the public pages do not; `rebuild` redoes it all (`assess search-index`, after a
bulk load)."""

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import translated
from ..i18n import _reference_texts, country_name_in
from ..models import Assessment, Citation, Country, Indicator, SearchEntry, Version
from ..rendering import render_markdown


def title_of(indicator: Indicator, country: Country) -> str:
    """The indicator's title and the country's name in every interface language: a search in
    French finds the assessment by the French title a visitor sees. An indicator's title comes
    from its reviewed translation, else the catalogue's for a seeded one; `retitle` writes it
    again when a translation is approved."""
    languages = current_app.config["LANGUAGES"]
    titles = [indicator.title]
    for code in languages:
        reviewed = translated.current(indicator.translations, code, "title", indicator.title)
        if reviewed:
            titles.append(reviewed)
        elif indicator.title in _reference_texts():
            with force_locale(code):
                titles.append(gettext(indicator.title))
    names = [country.name] + [country_name_in(country.name, code) for code in languages]
    return " — ".join([*dict.fromkeys(titles), " · ".join(dict.fromkeys(names))])


def document(assessment: Assessment, version: Version) -> tuple[str, str]:
    """(title, body): indicator and country, in every language; analysis, its source, legal
    citations, sources."""
    title = title_of(assessment.indicator, assessment.country)
    parts = [render_markdown(version.analysis).striptags()]
    if version.analysis_source_title:
        parts.append(version.analysis_source_title)
    parts += [f"{c.instrument.title} {c.provision}".strip() for c in version.citations]
    parts += [" ".join(p for p in (s.publisher, s.title) if p) for s in version.sources]
    return title, "\n".join(part for part in parts if part)


def _fill(entry: SearchEntry, assessment: Assessment, version: Version) -> None:
    entry.version_id = version.id
    entry.country_id = assessment.country_id
    entry.indicator_id = assessment.indicator_id
    entry.status = version.status
    entry.title, entry.body = document(assessment, version)
    entry.published_at = version.published_at


def update(session: Session, assessment: Assessment, version: Version | None) -> None:
    """Make the index hold `version`, now the assessment's published one, or nothing (None)."""
    entry = session.scalar(select(SearchEntry).where(SearchEntry.assessment_id == assessment.id))
    if version is None:
        if entry is not None:
            session.delete(entry)
        return
    if entry is None:
        entry = SearchEntry(assessment_id=assessment.id)
        session.add(entry)
    _fill(entry, assessment, version)


def rebuild(session: Session) -> int:
    """Index every published assessment afresh; returns how many."""
    session.execute(delete(SearchEntry))
    published = session.scalars(
        select(Assessment)
        .where(Assessment.published_version_id.is_not(None))
        .options(
            joinedload(Assessment.country),
            joinedload(Assessment.indicator),
            selectinload(Assessment.published_version).options(
                selectinload(Version.citations).joinedload(Citation.instrument),
                selectinload(Version.sources),
            ),
        )
    ).all()
    for assessment in published:
        entry = SearchEntry(assessment_id=assessment.id)
        _fill(entry, assessment, assessment.published_version)  # type: ignore[arg-type]  # published: checked by the query
        session.add(entry)
    session.flush()
    return len(published)


def retitle(session: Session, indicator: Indicator) -> None:
    """Write the titles of the indicator's entries again: its wording or a translation changed
    (called in the transaction that approves it)."""
    rows = session.execute(
        select(SearchEntry, Country)
        .join(Country, Country.id == SearchEntry.country_id)
        .where(SearchEntry.indicator_id == indicator.id)
    )
    for entry, country in rows:
        title = title_of(indicator, country)
        if entry.title != title:
            entry.title = title
