"""Export every table to one file, and import it into an empty database, losslessly.

The file is JSON Lines: a header naming the format and the schema revision, one line per row
(`{"table": ..., "row": {...}}`, tables in dependency order, rows by primary key, keys sorted) and a
closing line with the row count of each table, so that a truncated file is recognised. Exporting,
importing and exporting again gives the same bytes.

Import reads and checks the whole file first (JSON, tables, columns, types, lengths, required
values, duplicate keys, references), naming the line and field at fault, and only then writes,
in one transaction: an error at any point leaves the database as it was.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import (
    Column,
    Table,
    TypeDecorator,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)

from ..database import write_transaction
from ..extensions import db
from .errors import ValidationError

FORMAT = "assess-export"
VERSION = 1
# Reference data that `assess seed` or a migration adds: an import replaces it rather than refusing.
SEED_TABLES = frozenset({"country", "indicator", "indicator_revision", "framework_revision"})
Progress = Callable[[int], None]


class BackupError(ValidationError):
    """The file cannot be imported; `line` and `field` say where."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.field = field


def tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def schema_revision(connection) -> str:
    try:
        heads = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    except Exception:  # no alembic_version table: never migrated
        return ""
    return ",".join(sorted(heads))


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _line(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def _rows(connection, table: Table) -> Iterator[dict]:
    statement = select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(statement).mappings():
        yield {name: _dump(value) for name, value in row.items()}


def count_rows(connection=None) -> dict[str, int]:
    connection = connection or db.session.connection()
    return {
        t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
        for t in tables()
    }


def export(out: IO[str], progress: Progress | None = None) -> dict[str, int]:
    """Write every row of every table to `out`, from one consistent snapshot."""
    engine = db.engine
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        counts = count_rows(connection)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema": schema_revision(connection),
            "tables": [t.name for t in tables()],
        }
        out.write(_line(header))
        for table in tables():
            for row in _rows(connection, table):
                out.write(_line({"table": table.name, "row": row}))
                if progress:
                    progress(1)
        out.write(_line({"end": True, "rows": counts}))
    return counts


# --- reading and checking -------------------------------------------------------------------


@dataclass
class Plan:
    """A checked file: its rows by table, ready to write."""

    schema: str
    rows: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _python_type(column: Column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _load(column: Column, value: Any, line: int) -> Any:
    """The database value for a JSON value, or a BackupError naming the line and field."""
    name = column.name
    if value is None:
        if not column.nullable:
            raise BackupError("a value is required", line, name)
        return None
    kind = _python_type(column)
    if kind is bool:
        if not isinstance(value, bool):
            raise BackupError(f"expected true or false, got {value!r}", line, name)
        return value
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise BackupError(f"expected a whole number, got {value!r}", line, name)
        return value
    if kind is float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise BackupError(f"expected a number, got {value!r}", line, name)
        return value
    if kind in (str, datetime, date):
        if not isinstance(value, str):
            raise BackupError(f"expected text, got {value!r}", line, name)
        if "\x00" in value:
            raise BackupError("text may not contain NUL characters", line, name)
    if kind is str:
        length = getattr(column.type, "length", None)
        if length is not None and len(value) > length:
            raise BackupError(f"longer than {length} characters", line, name)
        return value
    if kind is datetime:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise BackupError(f"not a date and time: {value!r}", line, name) from None
        if parsed.tzinfo is None:
            raise BackupError(f"a date and time without time zone: {value!r}", line, name)
        return parsed
    if kind is date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BackupError(f"not a date: {value!r}", line, name) from None
    return value  # JSON columns take any JSON value


def _parse(number: int, raw: str) -> dict:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BackupError(f"not valid JSON ({error.msg} at column {error.colno})", number) from None
    if not isinstance(document, dict):
        raise BackupError("expected a JSON object", number)
    return document


def _check_header(document: dict) -> str:
    if document.get("format") != FORMAT:
        raise BackupError(f"not an {FORMAT} file", 1, "format")
    if document.get("version") != VERSION:
        raise BackupError(
            f"format version {document.get('version')!r} is not {VERSION}", 1, "version"
        )
    schema = document.get("schema")
    if not isinstance(schema, str):
        raise BackupError("missing schema revision", 1, "schema")
    return schema


def _check_row(number: int, document: dict, by_name: dict[str, Table]) -> tuple[str, dict]:
    unexpected = set(document) - {"table", "row"}
    if unexpected:
        raise BackupError("unexpected key", number, sorted(unexpected)[0])
    name = document.get("table")
    table = by_name.get(name) if isinstance(name, str) else None
    if table is None or not isinstance(name, str):
        raise BackupError(f"unknown table {name!r}", number, "table")
    row = document.get("row")
    if not isinstance(row, dict):
        raise BackupError("expected an object of column values", number, "row")
    columns = {c.name: c for c in table.columns}
    for key in row:
        if key not in columns:
            raise BackupError(f"no such column in table {name}", number, key)
    for key in columns:
        if key not in row:
            raise BackupError(f"missing from this {name} row", number, key)
    return name, {key: _load(columns[key], row[key], number) for key in columns}


def _check_keys(plan: Plan, lines: dict[tuple[str, int], int]) -> None:
    """Duplicate primary and unique keys, and references to rows the file does not hold."""
    referenced = {(fk.column.table.name, fk.column.name) for t in tables() for fk in t.foreign_keys}
    known = {
        (name, column): {row[column] for row in plan.rows.get(name, [])}
        for name, column in referenced
    }
    for table in tables():
        rows = plan.rows.get(table.name, [])
        keysets = [tuple(c.name for c in table.primary_key.columns)]
        keysets += [
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        for keyset in keysets:
            seen: dict[tuple, int] = {}
            for position, row in enumerate(rows):
                value = tuple(row[k] for k in keyset)
                if None in value:
                    continue
                line = lines[(table.name, position)]
                if value in seen:
                    message = f"{value!r} repeats the {table.name} of line {seen[value]}"
                    raise BackupError(message, line, keyset[0])
                seen[value] = line
    for table in tables():
        for position, row in enumerate(plan.rows.get(table.name, [])):
            for foreign_key in table.foreign_keys:
                value = row[foreign_key.parent.name]
                target = (foreign_key.column.table.name, foreign_key.column.name)
                if value is not None and value not in known[target]:
                    line = lines[(table.name, position)]
                    raise BackupError(
                        f"refers to {target[0]} {value!r}, which the file does not hold",
                        line,
                        foreign_key.parent.name,
                    )


def read(source: Iterable[str]) -> Plan:
    """Check a whole export file; a BackupError names the first line and field at fault."""
    by_name = {t.name: t for t in tables()}
    plan: Plan | None = None
    lines: dict[tuple[str, int], int] = {}
    closing: dict | None = None
    number = 0
    for number, raw in enumerate(source, start=1):
        if closing is not None:
            raise BackupError("content after the closing line", number)
        if not raw.strip():
            raise BackupError("empty line", number)
        document = _parse(number, raw)
        if plan is None:
            plan = Plan(schema=_check_header(document))
            continue
        if "end" in document:
            closing = document
            continue
        name, row = _check_row(number, document, by_name)
        rows = plan.rows.setdefault(name, [])
        lines[(name, len(rows))] = number
        rows.append(row)
    if plan is None:
        raise BackupError("the file is empty", 1)
    if closing is None:
        raise BackupError("the file ends without its closing line: it is truncated", number + 1)
    counts = closing.get("rows")
    if not isinstance(counts, dict):
        raise BackupError("expected the row count of each table", number, "rows")
    for name in by_name:
        if counts.get(name, 0) != len(plan.rows.get(name, [])):
            raise BackupError(
                f"table {name} should have {counts.get(name, 0)} rows, "
                f"the file has {len(plan.rows.get(name, []))}: it is truncated or edited",
                number,
                "rows",
            )
    _check_keys(plan, lines)
    return plan


# --- writing ------------------------------------------------------------------------------


def _deferred_columns(table: Table, order: list[str]) -> list[str]:
    """Foreign keys to the same table or a later one: written as NULL first, then set."""
    here = order.index(table.name)
    return sorted(
        fk.parent.name for fk in table.foreign_keys if order.index(fk.column.table.name) >= here
    )


def _reset_sequences(session) -> None:
    for table in tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or _python_type(columns[0]) is not int:
            continue
        key = columns[0]
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', key.name)
        highest = func.max(key)
        session.execute(
            select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None)))
        )


def _refuse_unless_empty(session) -> None:
    counts = count_rows(session.connection())
    filled = {name: n for name, n in counts.items() if n and name not in SEED_TABLES}
    if filled:
        listing = ", ".join(f"{n} {name}" for name, n in sorted(filled.items()))
        raise BackupError(f"the database is not empty ({listing}); import needs an empty one")


def write(plan: Plan, progress: Progress | None = None) -> dict[str, int]:
    """Write a checked plan into an empty (migrated, maybe seeded) database in one transaction."""
    order = [t.name for t in tables()]
    with write_transaction() as session:
        current = schema_revision(session.connection())
        if current != plan.schema:
            raise BackupError(
                f"the file has schema {plan.schema!r}, the database {current!r}: "
                "upgrade both to the same revision first"
            )
        _refuse_unless_empty(session)
        for table in tables():  # seeded rows that point forward (an indicator at its revision)
            deferred = _deferred_columns(table, order)
            if table.name in SEED_TABLES and deferred:
                session.execute(update(table).values(dict.fromkeys(deferred)))
        for table in reversed(tables()):
            if table.name in SEED_TABLES:
                session.execute(table.delete())
        for table in tables():
            rows = plan.rows.get(table.name, [])
            if not rows:
                continue
            deferred = _deferred_columns(table, order)
            first = [{**row, **dict.fromkeys(deferred)} for row in rows] if deferred else rows
            session.execute(insert(table), first)
            if progress:
                progress(len(rows))
        for table in tables():
            _set_deferred(session, table, plan.rows.get(table.name, []), order)
        if db.engine.dialect.name == "postgresql":
            _reset_sequences(session)
    return {name: len(rows) for name, rows in plan.rows.items()}


def _set_deferred(session, table: Table, rows: list[dict], order: list[str]) -> None:
    deferred = _deferred_columns(table, order)
    if not deferred or not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    for row in rows:
        values = {name: row[name] for name in deferred if row[name] is not None}
        if values:
            condition = [table.c[k] == row[k] for k in keys]
            session.execute(update(table).where(*condition).values(**values))


def import_file(source: Iterable[str], progress: Progress | None = None) -> dict[str, int]:
    return write(read(source), progress)
