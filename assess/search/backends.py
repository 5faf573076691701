"""The two full-text engines behind `assess.search`: the same question, each in its own SQL.

Both read `search_entry` and the index migration 0004_research_search made for it; words come
from `search.terms` (letters and digits only) and every value is a bound parameter."""

from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.orm import Session

from .marks import MARK_END, MARK_START, marked


@dataclass(frozen=True)
class Filters:
    indicator_id: int | None = None
    status: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Hit:
    entry_id: int
    snippet: Markup
    rank: float


class Backend(Protocol):
    def search(self, words: list[str], filters: Filters, limit: int, offset: int) -> list[Hit]: ...

    def count(self, words: list[str], filters: Filters) -> int: ...


def _where(filters: Filters) -> tuple[str, dict]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if filters.indicator_id is not None:
        clauses.append("AND e.indicator_id = :indicator_id")
        params["indicator_id"] = filters.indicator_id
    if filters.status:
        clauses.append("AND e.status = :status")
        params["status"] = filters.status
    if filters.region:
        clauses.append("AND c.region = :region")
        params["region"] = filters.region
    return " ".join(clauses), params


class Fts5:
    """SQLite: the `search_fts` FTS5 table; bm25 ranks, the title weighing five times the body."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _match(words: list[str]) -> str:
        return " ".join(f'"{word}"*' for word in words)  # every word, as a prefix

    def search(self, words, filters, limit, offset):
        where, params = _where(filters)
        sql = text(
            "SELECT e.id, snippet(search_fts, 1, :start, :end, '…', 24) AS snippet, "  # noqa: S608 - fixed fragments; every value is bound
            "bm25(search_fts, 5.0, 1.0) AS rank "
            "FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "
            "JOIN country c ON c.id = e.country_id "
            f"WHERE search_fts MATCH :match {where} "
            "ORDER BY rank, e.id LIMIT :limit OFFSET :offset"
        )
        params |= {"match": self._match(words), "start": MARK_START, "end": MARK_END}
        rows = self.session.execute(sql, params | {"limit": limit, "offset": offset})
        return [Hit(row.id, marked(row.snippet), -row.rank) for row in rows]

    def count(self, words, filters):
        where, params = _where(filters)
        sql = text(
            "SELECT count(*) FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "  # noqa: S608 - fixed fragments; every value is bound
            f"JOIN country c ON c.id = e.country_id WHERE search_fts MATCH :match {where}"
        )
        return self.session.scalar(sql, params | {"match": self._match(words)}) or 0


class PostgresFullText:
    """PostgreSQL: `to_tsvector('simple', …)` (no language's stemming: analyses come in many),
    served by the GIN index on that expression; ts_rank orders, ts_headline marks."""

    DOCUMENT = "to_tsvector('simple', e.title || ' ' || e.body)"

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _query(words: list[str]) -> str:
        return " & ".join(f"{word}:*" for word in words)

    def search(self, words, filters, limit, offset):
        where, params = _where(filters)
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=40, MinWords=15, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = text(
            f"SELECT e.id, ts_headline('simple', e.body, q, :options) AS snippet, "  # noqa: S608 - fixed fragments; every value is bound
            f"ts_rank(setweight(to_tsvector('simple', e.title), 'A') || "
            f"to_tsvector('simple', e.body), q) AS rank "
            f"FROM search_entry e JOIN country c ON c.id = e.country_id, "
            f"to_tsquery('simple', :query) q "
            f"WHERE {self.DOCUMENT} @@ q {where} "
            "ORDER BY rank DESC, e.id LIMIT :limit OFFSET :offset"
        )
        params |= {"query": self._query(words), "options": options}
        rows = self.session.execute(sql, params | {"limit": limit, "offset": offset})
        return [Hit(row.id, marked(row.snippet), float(row.rank)) for row in rows]

    def count(self, words, filters):
        where, params = _where(filters)
        sql = text(
            "SELECT count(*) FROM search_entry e JOIN country c ON c.id = e.country_id "  # noqa: S608 - fixed fragments; every value is bound
            f"WHERE {self.DOCUMENT} @@ to_tsquery('simple', :query) {where}"
        )
        return self.session.scalar(sql, params | {"query": self._query(words)}) or 0


def backend_for(session: Session) -> Backend:
    if session.get_bind().dialect.name == "postgresql":
        return PostgresFullText(session)
    return Fts5(session)
