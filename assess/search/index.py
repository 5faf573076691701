"""Writing the search index: what the public sees of an assessment, as text.

`update` is called by publication and retraction inside their transaction, so the index never
says anything the public pages do not; `rebuild` redoes it all (`assess search-index`, after a
bulk load)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import Assessment, Citation, SearchEntry, Version
from ..rendering import render_markdown


def document(assessment: Assessment, version: Version) -> tuple[str, str]:
    """(title, body): indicator and country; analysis, its source, legal citations, sources."""
    title = f"{assessment.indicator.title} — {assessment.country.name}"
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
