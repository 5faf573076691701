"""Review cycles: an admin opens one (a name, a due date, its countries and indicators, who is
assigned), assigns and unassigns reviewers, and closes it. Only admins manage cycles; a
reviewer is assigned only to a country they hold the reviewer role for.

What a cycle shows (its progress, a reviewer's assignments) is read in `queries/cycles.py`."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import format_date, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..database import write_transaction
from ..extensions import db
from ..models import (
    Country,
    Indicator,
    ReviewAssignment,
    ReviewCycle,
    ReviewCycleCountry,
    ReviewCycleIndicator,
    Role,
    RoleGrant,
    User,
)
from . import audit
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .permissions import grant_covers_sql, is_admin, roles_for

NAME_MAX = 200


def require_manager(actor: User) -> None:
    """Refuse anyone who may not manage review cycles: everyone but administrators."""
    if not is_admin(actor):
        raise PermissionDenied(gettext("Only an administrator can manage review cycles."))


def _invalid(field_name: str, message: str) -> ValidationError:
    return ValidationError(message, {field_name: [message]})


@dataclass(frozen=True)
class CycleInput:
    """A new cycle as the form gives it: country codes, indicator ids, and for each assignment
    a (country code, reviewer e-mail address) pair."""

    name: str
    due_on: date | None
    country_codes: Sequence[str]
    indicator_ids: Sequence[int]
    assignments: Sequence[tuple[str, str]] = field(default_factory=tuple)


def parse_assignments(text: str) -> list[tuple[str, str]]:
    """ "KZ: rita@example.org, sam@example.org" a line -> [("KZ", "rita@…"), ("KZ", "sam@…")]."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        code, colon, emails = line.partition(":")
        addresses = [e for e in emails.replace(";", ",").replace(" ", ",").split(",") if e]
        if not colon or not code.strip() or not addresses:
            raise _invalid(
                "assignments",
                gettext(
                    "Line %(number)s: write a country code, a colon and the reviewers' e-mail "
                    "addresses, e.g. KZ: rita@example.org",
                    number=number,
                ),
            )
        pairs.extend((code.strip().upper(), address.strip().lower()) for address in addresses)
    return pairs


def _countries(codes: Sequence[str]) -> list[Country]:
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        raise _invalid("countries", gettext("List at least one country, e.g. KZ."))
    found = {c.iso2: c for c in db.session.scalars(select(Country).where(Country.iso2.in_(wanted)))}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise _invalid(
            "countries",
            gettext(
                "Unknown country codes: %(codes)s. Use ISO 3166-1 alpha-2 codes, e.g. KZ.",
                codes=", ".join(unknown),
            ),
        )
    return [found[code] for code in wanted]


def _indicators(ids: Sequence[int]) -> list[Indicator]:
    wanted = list(dict.fromkeys(ids))
    found = list(
        db.session.scalars(
            select(Indicator)
            .where(Indicator.id.in_(wanted), Indicator.retired_at.is_(None))
            .order_by(Indicator.position)
        )
    )
    if not wanted or len(found) != len(wanted):
        raise _invalid("indicators", gettext("Choose at least one active indicator."))
    return found


def _check_reviewer(user: User | None, country: Country, who: str) -> User:
    """The reviewer, if they may be assigned to the country; a refusal saying why otherwise."""
    if user is None:
        raise _invalid(
            "assignments", gettext("No user has the e-mail address %(email)s.", email=who)
        )
    if not user.active:
        raise _invalid(
            "assignments",
            gettext("%(name)s's account is deactivated.", name=user.display_name),
        )
    if Role.REVIEWER not in roles_for(user, country.id):
        raise _invalid(
            "assignments",
            gettext(
                "%(name)s is not a reviewer for %(country)s: give them the reviewer role for it "
                "first, or assign someone who has it.",
                name=user.display_name,
                country=country.name,
            ),
        )
    return user


def open_cycle(actor: User, given: CycleInput) -> ReviewCycle:
    require_manager(actor)
    name = given.name.strip()
    if not name:
        raise _invalid("name", gettext("Give the cycle a name."))
    if len(name) > NAME_MAX:
        raise _invalid("name", gettext("The name is too long (at most 200 characters)."))
    if given.due_on is None:
        raise _invalid("due_on", gettext("Give a due date, e.g. 2027-06-30."))
    if given.due_on < datetime.now(UTC).date():
        raise _invalid("due_on", gettext("The due date is in the past: choose a later day."))
    countries = _countries(given.country_codes)
    indicators = _indicators(given.indicator_ids)
    by_code = {c.iso2: c for c in countries}
    emails = {email for _, email in given.assignments}
    people = {
        u.email.lower(): u
        for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    }
    assigned: list[tuple[Country, User]] = []
    for code, email in given.assignments:
        country = by_code.get(code)
        if country is None:
            raise _invalid(
                "assignments",
                gettext(
                    "%(code)s is not among the cycle's countries: add it to the countries, or "
                    "remove its line.",
                    code=code,
                ),
            )
        pair = (country, _check_reviewer(people.get(email), country, email))
        if pair not in assigned:
            assigned.append(pair)
    with write_transaction() as session:
        cycle = ReviewCycle(name=name, due_on=given.due_on, created_by_id=actor.id)
        cycle.countries = [ReviewCycleCountry(country_id=c.id) for c in countries]
        cycle.indicators = [ReviewCycleIndicator(indicator_id=i.id) for i in indicators]
        cycle.assignments = [
            ReviewAssignment(country_id=c.id, reviewer_id=u.id) for c, u in assigned
        ]
        session.add(cycle)
        session.flush()
        audit.record(
            actor,
            "open_cycle",
            cycle,
            details={
                "name": name,
                "due_on": given.due_on.isoformat(),
                "countries": [c.iso2 for c in countries],
                "indicators": [i.slug for i in indicators],
                "assignments": [[c.iso2, u.id] for c, u in assigned],
            },
        )
    return cycle


def list_cycles(actor: User) -> list[ReviewCycle]:
    """Open cycles first (soonest due first), then closed ones, latest first."""
    require_manager(actor)
    return list(
        db.session.scalars(
            select(ReviewCycle)
            .options(selectinload(ReviewCycle.countries), selectinload(ReviewCycle.indicators))
            .order_by(
                ReviewCycle.closed_at.is_not(None),
                ReviewCycle.due_on,
                ReviewCycle.closed_at.desc(),
                ReviewCycle.id.desc(),
            )
        )
    )


def _get(session: Session | None, cycle_id: int) -> ReviewCycle:
    cycle = (session or db.session).get(ReviewCycle, cycle_id)
    if cycle is None:
        raise NotFound(gettext("No such review cycle."))
    return cycle


def get_cycle(actor: User, cycle_id: int) -> ReviewCycle:
    require_manager(actor)
    return _get(None, cycle_id)


def _require_open(cycle: ReviewCycle) -> None:
    if cycle.closed_at is not None:
        raise Conflict(
            gettext(
                "This cycle was closed on %(date)s: nothing about it can change now.",
                date=format_date(cycle.closed_at, "long"),
            )
        )


def assign(actor: User, cycle_id: int, country_id: int | None, reviewer_id: int | None) -> None:
    """Assign a reviewer to one of the cycle's countries."""
    require_manager(actor)
    with write_transaction() as session:
        cycle = _get(session, cycle_id)
        _require_open(cycle)
        country = session.get(Country, country_id) if country_id else None
        if country is None or country.id not in {c.country_id for c in cycle.countries}:
            raise _invalid("country", gettext("Choose one of the cycle's countries."))
        reviewer = session.get(User, reviewer_id) if reviewer_id else None
        if reviewer is None:
            raise _invalid("reviewer", gettext("Choose a reviewer."))
        try:
            _check_reviewer(reviewer, country, reviewer.email)
        except ValidationError as error:
            raise _invalid("reviewer", str(error)) from None
        if any(
            a.country_id == country.id and a.reviewer_id == reviewer.id for a in cycle.assignments
        ):
            raise Conflict(
                gettext(
                    "%(name)s is already assigned to %(country)s.",
                    name=reviewer.display_name,
                    country=country.name,
                )
            )
        cycle.assignments.append(ReviewAssignment(country_id=country.id, reviewer_id=reviewer.id))
        audit.record(
            actor,
            "assign_reviewer",
            cycle,
            country_id=country.id,
            details={"reviewer": reviewer.id, "country": country.iso2},
        )


def unassign(actor: User, cycle_id: int, assignment_id: int) -> None:
    require_manager(actor)
    with write_transaction() as session:
        cycle = _get(session, cycle_id)
        _require_open(cycle)
        assignment = next((a for a in cycle.assignments if a.id == assignment_id), None)
        if assignment is None:
            raise NotFound(gettext("No such assignment."))
        cycle.assignments.remove(assignment)
        audit.record(
            actor,
            "unassign_reviewer",
            cycle,
            country_id=assignment.country_id,
            details={"reviewer": assignment.reviewer_id},
        )


def close_cycle(actor: User, cycle_id: int) -> ReviewCycle:
    """Close a cycle: its progress is kept as it stood, and it leaves its reviewers' lists."""
    require_manager(actor)
    with write_transaction() as session:
        cycle = _get(session, cycle_id)
        _require_open(cycle)
        cycle.closed_at = datetime.now(UTC)
        audit.record(actor, "close_cycle", cycle, details={"name": cycle.name})
    return cycle


def assignable_reviewers(cycle: ReviewCycle) -> list[User]:
    """Active users who hold the reviewer role for at least one of the cycle's countries
    (globally included), for the assignment form's choices."""
    country_ids = [c.country_id for c in cycle.countries]
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(
                    select(RoleGrant.user_id).where(
                        RoleGrant.role == Role.REVIEWER.value, grant_covers_sql(country_ids)
                    )
                ),
            )
            .order_by(User.name, User.email)
        )
    )
