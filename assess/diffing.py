"""Differences between two versions, for reviewers (review screen) and readers (public history)."""

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
