"""The read side of talking back: the public replies beside assessments and in the open data,
the staff's queue of suggested corrections and their list of replies."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Assessment,
    AuditEvent,
    Country,
    Indicator,
    Reply,
    ReplyContributor,
    Suggestion,
    SuggestionState,
    User,
)
from ..services.permissions import country_scope, is_admin
from ..workflow import OPEN_STATES, State
from .queues import PER_PAGE, Page, in_scope, offset, supervised_countries


def published_replies(assessment_id: int | None) -> list[Reply]:
    """The approved replies to one assessment, oldest received first."""
    if assessment_id is None:
        return []
    return list(
        db.session.scalars(
            select(Reply)
            .where(Reply.assessment_id == assessment_id, Reply.state == State.PUBLISHED.value)
            .order_by(Reply.received_on, Reply.id)
        )
    )


def replies_public_at(until: datetime, country_id: int, indicator_id: int) -> list[Reply]:
    """The replies to a country's assessment of an indicator that the public could read just
    before `until`: approved before it and not retracted before it (a retraction's time is its
    audit event's), oldest received first."""
    retracted_before = select(AuditEvent.object_id).where(
        AuditEvent.object_type == "reply",
        AuditEvent.to_state == State.RETRACTED.value,
        AuditEvent.at < until,
    )
    return list(
        db.session.scalars(
            select(Reply)
            .join(Assessment, Assessment.id == Reply.assessment_id)
            .where(
                Assessment.country_id == country_id,
                Assessment.indicator_id == indicator_id,
                Reply.state.in_([State.PUBLISHED.value, State.RETRACTED.value]),
                Reply.decided_at < until,
                Reply.id.not_in(retracted_before),
            )
            .order_by(Reply.received_on, Reply.id)
        )
    )


def published_replies_by_indicator(country_id: int) -> dict[int, list[Reply]]:
    """Indicator id -> the approved replies to the country's assessment of it, in one statement."""
    found: dict[int, list[Reply]] = defaultdict(list)
    rows = db.session.execute(
        select(Assessment.indicator_id, Reply)
        .join(Assessment, Assessment.id == Reply.assessment_id)
        .where(Reply.country_id == country_id, Reply.state == State.PUBLISHED.value)
        .order_by(Reply.received_on, Reply.id)
    )
    for indicator_id, reply in rows:
        found[indicator_id].append(reply)
    return dict(found)


def published_replies_everywhere(
    *conditions,
) -> list[tuple[Reply, Assessment, Country, Indicator]]:
    """Every approved reply (narrowed by `conditions`) with its assessment, country and indicator,
    by country, indicator and date received: one statement, for the open data."""
    rows = db.session.execute(
        select(Reply, Assessment, Country, Indicator)
        .join(Assessment, Assessment.id == Reply.assessment_id)
        .join(Country, Country.id == Assessment.country_id)
        .join(Indicator, Indicator.id == Assessment.indicator_id)
        .where(Reply.state == State.PUBLISHED.value, *conditions)
        .order_by(Country.name, Indicator.position, Reply.received_on, Reply.id)
    )
    return [
        (reply, assessment, country, indicator) for reply, assessment, country, indicator in rows
    ]


def _scoped(user: User, statement, column):
    """Only the countries whose staff the user is (every country for admins and global staff)."""
    if is_admin(user):
        return statement
    scope = country_scope(user)
    return statement if scope is None else statement.where(column.in_(scope))


STATES = tuple(SuggestionState)


def suggestion_counts(user: User) -> dict[str, int]:
    """How many suggestions wait in each state, in the user's countries."""
    statement = _scoped(
        user,
        select(Suggestion.state, func.count(Suggestion.id)).group_by(Suggestion.state),
        Suggestion.country_id,
    )
    counts = dict.fromkeys((s.value for s in STATES), 0)
    for state, count in db.session.execute(statement):
        counts[state] = count
    return counts


def suggestion_queue(
    user: User, state: str, number: int = 1, per_page: int = PER_PAGE
) -> Page[Suggestion]:
    """One page of the suggestions in `state` in the user's countries, oldest first (the one
    waiting longest is read first)."""
    conditions = [Suggestion.state == state]
    total = (
        db.session.scalar(
            _scoped(
                user,
                select(func.count(Suggestion.id)).where(*conditions),
                Suggestion.country_id,
            )
        )
        or 0
    )
    statement = _scoped(
        user,
        select(Suggestion)
        .where(*conditions)
        .options(joinedload(Suggestion.country), joinedload(Suggestion.indicator))
        .order_by(Suggestion.created_at, Suggestion.id)
        .limit(per_page)
        .offset(offset(number, per_page)),
        Suggestion.country_id,
    )
    return Page(list(db.session.scalars(statement)), number, per_page, total)


def staff_replies(user: User) -> tuple[list[Reply], list[Reply]]:
    """The replies in the user's countries: those under way, and the 50 last decided."""
    loaded = (
        joinedload(Reply.assessment).joinedload(Assessment.indicator),
        joinedload(Reply.country),
    )
    open_values = [s.value for s in OPEN_STATES]
    under_way = _scoped(
        user,
        select(Reply).where(Reply.state.in_(open_values)).options(*loaded).order_by(Reply.id),
        Reply.country_id,
    )
    decided = _scoped(
        user,
        select(Reply)
        .where(Reply.state.not_in(open_values))
        .options(*loaded)
        .order_by(Reply.updated_at.desc())
        .limit(50),
        Reply.country_id,
    )
    return list(db.session.scalars(under_way)), list(db.session.scalars(decided))


def replies_awaiting(user: User, limit: int = 50) -> list[Reply]:
    """Submitted replies in the countries the user supervises that they did not enter or edit
    (four-eyes): theirs to decide, oldest submission first. One statement."""
    scope = supervised_countries(user)
    if scope is not None and not scope:
        return []
    mine = select(ReplyContributor.reply_id).where(ReplyContributor.user_id == user.id)
    statement = (
        select(Reply)
        .where(
            Reply.state == State.SUBMITTED.value,
            in_scope(Reply.country_id, scope),
            Reply.id.not_in(mine),
        )
        .options(joinedload(Reply.assessment).joinedload(Assessment.indicator))
        .options(joinedload(Reply.country))
        .order_by(Reply.submitted_at.asc(), Reply.id.asc())
        .limit(limit)
    )
    return list(db.session.scalars(statement).unique())
