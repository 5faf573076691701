"""Differences between two versions, for reviewers (review screen) and readers (public history),
and between two captures of a cited page, for staff (evidence health)."""

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Chunk:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Chunk]:
    """Word-level difference: runs of unchanged, deleted and inserted text, in reading order."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    chunks: list[Chunk] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append(Chunk("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            chunks.append(Chunk("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            chunks.append(Chunk("insert", "".join(b[j1:j2])))
    return chunks


@dataclass(frozen=True)
class RowChange:
    op: str  # "added", "removed", "changed" or "same"
    old: tuple | None
    new: tuple | None


def row_diff(old: list[tuple], new: list[tuple], key=lambda row: row[0]) -> list[RowChange]:
    """Rows (citations, sources) matched by key: added, removed, changed or the same."""
    old_by_key = {key(row): row for row in old}
    new_keys = {key(row) for row in new}
    changes = []
    for row in new:
        before = old_by_key.get(key(row))
        if before is None:
            changes.append(RowChange("added", None, row))
        else:
            changes.append(RowChange("same" if before == row else "changed", before, row))
    changes.extend(RowChange("removed", row, None) for row in old if key(row) not in new_keys)
    return changes


# --- two captures of a page: passages around each change -------------------------------------

CONTEXT_WORDS = 12  # around each change
MAX_COMPARED_WORDS = 20_000  # of the differing middle, either side
MAX_PASSAGES = 50


@dataclass(frozen=True)
class Passage:
    chunks: list[Chunk]  # spaces between words included, for `diff_chunks` in the templates
    starts_text: bool  # no words of the page before it
    ends_text: bool  # none after it


@dataclass(frozen=True)
class Comparison:
    passages: list[Passage]
    words_removed: int
    words_added: int
    more_passages: int = 0  # left out past MAX_PASSAGES
    too_long: bool = False  # too different to compare word by word

    @property
    def same(self) -> bool:
        return not self.too_long and not self.words_removed and not self.words_added


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def passages(before: str, after: str, context: int = CONTEXT_WORDS) -> Comparison:
    """What changed between two long texts of words (a page's visible text, the way
    `assess.fingerprint.visible_text` gives it, one line of words), as short passages: each change
    with `context` words of the text around it, the way a person compares two printings. The
    common beginning and end are set aside first, so a page whose footer's date alone changed
    costs almost nothing; a middle too long to compare quickly is said to be, not compared."""
    a, b = before.split(), after.split()
    head = _common_prefix(a, b)
    tail = _common_prefix(a[head:][::-1], b[head:][::-1])
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(middle_a) > MAX_COMPARED_WORDS or len(middle_b) > MAX_COMPARED_WORDS:
        return Comparison([], len(middle_a), len(middle_b), too_long=True)
    # Offsets in `a` and `b` of every run: the common ends are runs of "equal" too.
    runs: list[tuple[str, int, int, int, int]] = []
    if head:
        runs.append(("equal", 0, head, 0, head))
    matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        runs.append((tag, head + i1, head + i2, head + j1, head + j2))
    if tail:
        runs.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return _passages_of(runs, a, b, context)


def _passages_of(runs, a: list[str], b: list[str], context: int) -> Comparison:
    found: list[Passage] = []
    pieces: list[Chunk] = []
    starts = True
    removed = added = 0
    for index, (tag, i1, i2, j1, j2) in enumerate(runs):
        if tag != "equal":
            if i2 > i1:
                pieces.append(Chunk("delete", " ".join(a[i1:i2])))
                removed += i2 - i1
            if j2 > j1:
                pieces.append(Chunk("insert", " ".join(b[j1:j2])))
                added += j2 - j1
            continue
        words = a[i1:i2]
        first, last = index == 0, index == len(runs) - 1
        if not first and not last and len(words) <= 2 * context:
            pieces.append(Chunk("equal", " ".join(words)))  # two changes close together: one
            continue
        if not first:  # the end of a passage
            pieces.append(Chunk("equal", " ".join(words[:context])))
            found.append(_passage(pieces, starts, last and len(words) <= context))
            pieces = []
        if not last:  # the start of the next
            starts = first and len(words) <= context
            pieces = [Chunk("equal", " ".join(words[-context:]))] if words[-context:] else []
    if any(p.op != "equal" for p in pieces):
        found.append(_passage(pieces, starts, True))
    kept = found[:MAX_PASSAGES]
    return Comparison(kept, removed, added, more_passages=len(found) - len(kept))


def _passage(pieces: list[Chunk], starts: bool, ends: bool) -> Passage:
    chunks: list[Chunk] = []
    for piece in (p for p in pieces if p.text):
        if chunks:
            chunks.append(Chunk("equal", " "))
        chunks.append(piece)
    return Passage(chunks, starts, ends)
