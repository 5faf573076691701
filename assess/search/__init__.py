"""Full-text search of what is public: one interface, two engines (SQLite FTS5 by default,
PostgreSQL full-text search in production), over `SearchEntry` rows that publication and
retraction write in their own transaction (`index.update`).

Countries and indicators are few and their names are translated in the catalogues, not stored:
they are matched in Python, in every interface language (`names.py`)."""

import re
from dataclasses import dataclass

from ..extensions import db
from .backends import Filters, Hit, backend_for
from .marks import highlight, marked

__all__ = ["Filters", "Hit", "Page", "analyses", "highlight", "marked", "terms"]

MAX_TERMS = 8


def terms(query: str) -> list[str]:
    """The words of a query: letters and digits only, so nothing reaches an engine's syntax."""
    return [w[:40] for w in re.findall(r"[^\W_]+", (query or "").casefold())][:MAX_TERMS]


@dataclass
class Page:
    hits: list[Hit]
    total: int


def analyses(words: list[str], filters: Filters, limit: int = 20, offset: int = 0) -> Page:
    """Published assessments matching every word, best first, with a highlighted snippet."""
    if not words:
        return Page([], 0)
    engine = backend_for(db.session())
    return Page(engine.search(words, filters, limit, offset), engine.count(words, filters))
