"""The editable content of a version, as plain data: what a form or an import hands to a service."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext

from ..models import Citation, Instrument, Source, Status, Version
from . import uploads

CURRENT_YEAR_LIMIT = 2999
_MAX_LENGTHS = {  # the columns' sizes
    "analysis": 100_000,
    "analysis_language": 8,
    "analysis_source_title": 300,
    "instrument_title": 300,
    "provision": 200,
    "url": 500,
    "language": 8,
    "title": 300,
    "publisher": 200,
    "file_name": 200,
}


@dataclass(frozen=True)
class CitationInput:
    instrument_title: str
    year_adopted: int | None = None
    provision: str = ""
    status_as_of: int | None = None
    url: str = ""
    language: str = ""


@dataclass(frozen=True)
class SourceInput:
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    # An uploaded file (`uploads.StoredFile`): its stored name, the name it came under, its size.
    file_stored_name: str = ""
    file_name: str = ""
    file_size: int | None = None


@dataclass(frozen=True)
class VersionContent:
    status: str = Status.NOT_ASSESSED.value
    analysis: str = ""
    analysis_language: str = "en"
    analysis_source_title: str = ""
    analysis_source_year: int | None = None
    citations: list[CitationInput] = field(default_factory=list)
    sources: list[SourceInput] = field(default_factory=list)


def content_of(version: Version) -> VersionContent:
    return VersionContent(
        status=version.status,
        analysis=version.analysis,
        analysis_language=version.analysis_language,
        analysis_source_title=version.analysis_source_title,
        analysis_source_year=version.analysis_source_year,
        citations=[citation_input(c) for c in version.citations],
        sources=[source_input(s) for s in version.sources],
    )


def citation_input(citation: Citation) -> CitationInput:
    return CitationInput(
        instrument_title=citation.instrument.title,
        year_adopted=citation.instrument.year_adopted,
        provision=citation.provision,
        status_as_of=citation.status_as_of,
        url=citation.url,
        language=citation.language,
    )


def source_input(source: Source) -> SourceInput:
    return SourceInput(
        source.title,
        source.publisher,
        source.year,
        source.url,
        file_stored_name=source.file_stored_name or "",
        file_name=source.file_name or "",
        file_size=source.file_size,
    )


def _check_year(errors: dict[str, list[str]], key: str, year: int | None) -> None:
    if year is not None and not 1000 <= year <= CURRENT_YEAR_LIMIT:
        errors.setdefault(key, []).append(gettext("Enter a four-digit year."))


def _check_url(errors: dict[str, list[str]], key: str, url: str) -> None:
    if url and not url.startswith(("https://", "http://")):
        errors.setdefault(key, []).append(gettext("Enter a web address starting with https://."))


def problems(content: VersionContent, *, for_submission: bool) -> dict[str, list[str]]:
    """Field -> messages. Saving accepts incomplete work; submission needs a finding to review."""
    errors: dict[str, list[str]] = {}
    if content.status not in {s.value for s in Status}:
        errors["status"] = [gettext("Choose a status.")]
    _check_year(errors, "analysis_source_year", content.analysis_source_year)
    for index, citation in enumerate(content.citations):
        if not citation.instrument_title.strip():
            errors.setdefault(f"citations-{index}-instrument_title", []).append(
                gettext("Name the legal instrument.")
            )
        _check_year(errors, f"citations-{index}-year_adopted", citation.year_adopted)
        _check_year(errors, f"citations-{index}-status_as_of", citation.status_as_of)
        _check_url(errors, f"citations-{index}-url", citation.url)
    for index, source in enumerate(content.sources):
        if not source.title.strip():
            errors.setdefault(f"sources-{index}-title", []).append(
                gettext("Give the source a title.")
            )
        _check_year(errors, f"sources-{index}-year", source.year)
        _check_url(errors, f"sources-{index}-url", source.url)
        if source.file_stored_name and not uploads.STORED_NAME.match(source.file_stored_name):
            errors.setdefault(f"sources-{index}-upload", []).append(
                gettext("The attached file is not one of this version's: upload it again.")
            )
    if for_submission:
        if content.status == Status.NOT_ASSESSED.value:
            errors.setdefault("status", []).append(gettext("Choose a finding before submitting."))
        elif content.status != Status.NO_DATA.value and not content.analysis.strip():
            errors.setdefault("analysis", []).append(
                gettext("Write the analysis before submitting.")
            )
    return errors


def file_problems(
    content: VersionContent, stored: VersionContent, uploaded: frozenset[str]
) -> dict[str, list[str]]:
    """Files the version may not name: only those it has (`stored`) or that were just uploaded,
    and that are in the storage. A stored name posted by hand could otherwise publish any file."""
    allowed = {s.file_stored_name for s in stored.sources if s.file_stored_name} | uploaded
    errors: dict[str, list[str]] = {}
    for index, source in enumerate(content.sources):
        name = source.file_stored_name
        if name and (name not in allowed or not uploads.exists(name)):
            errors.setdefault(f"sources-{index}-upload", []).append(
                gettext("The attached file is not one of this version's: upload it again.")
            )
    return errors


def length_problems(content: VersionContent) -> dict[str, list[str]]:
    """Texts longer than their columns: refused with a message rather than by the database."""
    errors: dict[str, list[str]] = {}

    def measure(key: str, name: str, value: str) -> None:
        limit = _MAX_LENGTHS[name]
        if len(value or "") > limit:
            errors.setdefault(key, []).append(
                gettext("Use at most %(limit)s characters.", limit=limit)
            )

    for name in ("analysis", "analysis_language", "analysis_source_title"):
        measure(name, name, getattr(content, name))
    for index, citation in enumerate(content.citations):
        for name in ("instrument_title", "provision", "url", "language"):
            measure(f"citations-{index}-{name}", name, getattr(citation, name))
    for index, source in enumerate(content.sources):
        for name in ("title", "publisher", "url", "file_name"):
            measure(f"sources-{index}-{name}", name, getattr(source, name))
    return errors


def citation_values(citation: CitationInput, position: int) -> dict:
    """The columns of a citation row besides its version and instrument."""
    return {
        "position": position,
        "provision": citation.provision.strip(),
        "status_as_of": citation.status_as_of,
        "url": citation.url.strip(),
        "language": citation.language.strip(),
    }


def source_values(source: SourceInput, position: int) -> dict:
    """The columns of a source row besides its version."""
    return {
        "position": position,
        "title": source.title.strip(),
        "publisher": source.publisher.strip(),
        "year": source.year,
        "url": source.url.strip(),
        **file_values(source.file_stored_name, source.file_name, source.file_size),
    }


def file_values(stored_name: str, name: str, size: int | None) -> dict:
    """A source's file columns: all None without a file. The digest and type come from the
    stored name, which the storage gives as `<sha256>.<ext>`."""
    if not stored_name:
        return dict.fromkeys(
            ("file_stored_name", "file_name", "file_sha256", "file_size", "file_content_type")
        )
    digest, extension = stored_name.split(".", 1)
    return {
        "file_stored_name": stored_name,
        "file_name": name or stored_name,
        "file_sha256": digest,
        "file_size": size,
        "file_content_type": uploads.TYPES[extension].content_type,
    }


def new_citations(
    content: VersionContent, instrument: Callable[[str, int | None], Instrument]
) -> list[Citation]:
    """New citation rows for `content`; `instrument(title, year)` finds or makes the instrument."""
    return [
        Citation(
            instrument=instrument(c.instrument_title, c.year_adopted),
            **citation_values(c, position),
        )
        for position, c in enumerate(content.citations)
    ]


def new_sources(content: VersionContent) -> list[Source]:
    return [Source(**source_values(s, position)) for position, s in enumerate(content.sources)]
