"""Reading the audit log (admins only): filtered pages, and the same events as CSV."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload, lazyload

from ..extensions import db
from ..models import AuditEvent, Country, User
from ..services.errors import PermissionDenied
from ..services.permissions import is_admin
from .queues import PER_PAGE, Page, offset

CSV_HEADER = [
    "id", "at", "actor", "action", "object_type", "object_id", "country",
    "from_state", "to_state", "comment", "details",
]  # fmt: skip
# A cell starting with one of these is a formula to a spreadsheet; the CSV must stay data.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    country: str = ""  # ISO 3166-1 alpha-2
    action: str = ""

    @property
    def active(self) -> bool:
        return bool(self.user_id or self.country or self.action)


class Person(NamedTuple):
    id: int
    email: str
    name: str


class CountryChoice(NamedTuple):
    iso2: str
    name: str


@dataclass(frozen=True)
class AuditChoices:
    users: list[Person]
    countries: list[CountryChoice]
    actions: list[str]


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(gettext("Only administrators may read the audit log."))


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.user_id:
        conditions.append(AuditEvent.actor_id == filters.user_id)
    if filters.country:
        country = select(Country.id).where(Country.iso2 == filters.country.upper())
        conditions.append(AuditEvent.country_id == country.scalar_subquery())
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    return conditions


def _events(filters: AuditFilters) -> Select:
    return (
        select(AuditEvent)
        .where(*_conditions(filters))
        .options(
            joinedload(AuditEvent.actor).options(lazyload(User.grants)),
            joinedload(AuditEvent.country),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def events(
    actor: User, filters: AuditFilters, number: int = 1, per_page: int = PER_PAGE
) -> Page[AuditEvent]:
    """Newest first."""
    _require_admin(actor)
    conditions = _conditions(filters)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    items = db.session.scalars(_events(filters).limit(per_page).offset(offset(number, per_page)))
    return Page(list(items), number, per_page, total)


def choices(actor: User) -> AuditChoices:
    _require_admin(actor)
    users = db.session.execute(select(User.id, User.email, User.name).order_by(User.email))
    countries = db.session.execute(select(Country.iso2, Country.name).order_by(Country.name))
    actions = db.session.scalars(
        select(AuditEvent.action).group_by(AuditEvent.action).order_by(AuditEvent.action)
    )
    return AuditChoices(
        [Person(*row) for row in users],
        [CountryChoice(*row) for row in countries],
        list(actions),
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(actor: User, filters: AuditFilters) -> Iterator[list[str]]:
    """The header, then every matching event, newest first.

    The permission check and the statement happen now; the rows are read later, as the server
    sends the body, through a connection of their own: the generator needs no Flask context."""
    _require_admin(actor)
    statement = (
        select(
            AuditEvent.id,
            AuditEvent.at,
            User.email,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            Country.iso2,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.comment,
            AuditEvent.details,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Country, Country.id == AuditEvent.country_id)
        .where(*_conditions(filters))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    engine = db.engine

    def rows() -> Iterator[list[str]]:
        yield CSV_HEADER
        with engine.connect() as connection:
            result = connection.execution_options(yield_per=500).execute(statement)
            for event_id, at, email, *middle, details in result:
                yield [
                    _cell(value)
                    for value in (
                        event_id,
                        at.isoformat(),
                        email or "",
                        *middle,
                        json.dumps(details, sort_keys=True) if details else "",
                    )
                ]

    return rows()
