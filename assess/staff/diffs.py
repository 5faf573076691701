"""What changed between two contents of a version, field by field: against the published version,
since the last review round, and within each round of the thread."""

from dataclasses import dataclass

from ..diffing import Chunk, RowChange, row_diff, word_diff
from ..models import ReviewRound, Version
from ..services import rounds
from ..services.content import SourceInput, VersionContent, content_of


@dataclass
class ContentDiff:
    """Field by field: the published content (`old`, maybe None) against this version's."""

    old: VersionContent | None
    new: VersionContent
    analysis: list[Chunk]
    citations: list[RowChange]
    sources: list[RowChange]

    @property
    def status_changed(self) -> bool:
        return self.old is None or self.old.status != self.new.status

    @property
    def source_changed(self) -> bool:
        before = (
            (self.old.analysis_source_title, self.old.analysis_source_year) if self.old else None
        )
        return before != (self.new.analysis_source_title, self.new.analysis_source_year)

    @property
    def unchanged(self) -> bool:
        return (
            not self.status_changed
            and not self.source_changed
            and all(chunk.op == "equal" for chunk in self.analysis)
            and all(change.op == "same" for change in self.citations + self.sources)
        )


def _keyed(rows: list[tuple], identity: int) -> list[tuple]:
    """Rows with a matching key appended: what identifies the row, and its occurrence.

    A citation is the same row when it cites the same instrument (the n-th time), so that a
    provision or URL added to it reads as a change rather than as one row removed and one added."""
    seen: dict[tuple, int] = {}
    keyed = []
    for row in rows:
        ident = row[:identity]
        keyed.append((*row, (*ident, seen.get(ident, 0))))
        seen[ident] = seen.get(ident, 0) + 1
    return keyed


def citation_diff_rows(content: VersionContent | None) -> list[tuple]:
    rows = [
        (c.instrument_title, c.year_adopted, c.provision, c.status_as_of, c.url, c.language)
        for c in (content.citations if content else [])
    ]
    return _keyed(rows, identity=2)


def file_label(source: SourceInput) -> str:
    """A source's file as the diff shows it: its name and the start of its digest, so that a
    file replaced by another of the same name reads as a change."""
    if not source.file_stored_name:
        return ""
    return f"{source.file_name} (SHA-256 {source.file_stored_name[:12]}…)"


def source_diff_rows(content: VersionContent | None) -> list[tuple]:
    rows = [
        (s.title, s.publisher, s.year, s.url, file_label(s))
        for s in (content.sources if content else [])
    ]
    return _keyed(rows, identity=1)


def content_diff(old: VersionContent | None, new: VersionContent) -> ContentDiff:
    def by_key(row: tuple):
        return row[-1]

    return ContentDiff(
        old=old,
        new=new,
        analysis=word_diff(old.analysis if old else "", new.analysis),
        citations=row_diff(citation_diff_rows(old), citation_diff_rows(new), key=by_key),
        sources=row_diff(source_diff_rows(old), source_diff_rows(new), key=by_key),
    )


@dataclass
class RoundDiff:
    """One review round of the thread: what it decided on, against the round before it (or,
    for the first, against the published version it was based on)."""

    round: ReviewRound
    diff: ContentDiff
    against_round: int | None


def round_diffs(decided: list[ReviewRound], base_of_first: Version | None) -> dict[int, RoundDiff]:
    """Each round's changes, by round number; `base_of_first` the version round 1 was based on."""
    found: dict[int, RoundDiff] = {}
    previous: VersionContent | None = content_of(base_of_first) if base_of_first else None
    previous_number: int | None = None
    for each in decided:
        content = rounds.content_from(each.content)
        found[each.number] = RoundDiff(each, content_diff(previous, content), previous_number)
        previous, previous_number = content, each.number
    return found
