"""The review workflow's use cases: one function per transition of `workflow.TRANSITIONS`."""

from datetime import UTC, datetime

from flask_babel import format_datetime, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..models import (
    Assessment,
    Citation,
    Country,
    Indicator,
    Instrument,
    Source,
    User,
    Version,
    VersionContributor,
)
from ..workflow import OPEN_STATES, Action, State, TransitionError, transition
from . import audit, framework, notifications
from .content import VersionContent, content_of, problems
from .errors import Conflict, NotFound, PermissionDenied, ValidationError, already_decided
from .permissions import actor_for, can_read_staff, is_editor


class DraftExists(Conflict):
    """Another open version holds this assessment."""

    def __init__(self, version: Version) -> None:
        super().__init__(
            gettext(
                "%(name)s already holds an open version of this assessment since %(since)s.",
                name=version.created_by.display_name,
                since=format_datetime(version.created_at, "short"),
            )
        )
        self.version = version


class StaleForm(Conflict):
    """The form was based on an older save; `current` is what is stored now."""

    def __init__(self, current: Version, submitted: VersionContent) -> None:
        super().__init__("Someone saved this version after you opened it.")
        self.current = current
        self.submitted = submitted


class StaleBase(Conflict):
    """A newer version was published after this draft started from the old one."""


class AlreadyDecided(Conflict):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _locked_version(session: Session, version_id: int) -> Version:
    version = session.scalar(
        select(Version)
        .where(Version.id == version_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if version is None:
        raise NotFound("No such version.")
    return version


def _add_contributor(version: Version, user: User) -> None:
    if user.id not in version.contributor_ids:
        version.contributors.append(VersionContributor(user_id=user.id))


def _apply(
    session: Session, user: User, version: Version, action: Action, comment: str | None = None
) -> State:
    """Check the table for this actor and move the version; raise the reason otherwise."""
    country_id = version.assessment.country_id
    if not can_read_staff(user, country_id):
        raise NotFound("No such version.")
    before = State(version.state)
    try:
        after = transition(before, action, actor_for(user, version, country_id), comment)
    except TransitionError as error:
        if before not in OPEN_STATES and action in (Action.APPROVE, Action.REJECT):
            decider = version.decided_by.display_name if version.decided_by else None
            raise AlreadyDecided(already_decided(before, decider)) from None
        raise PermissionDenied(str(error)) from error
    version.state = after.value
    version.updated_at = _now()
    audit.record(
        user,
        action.value,
        version,
        country_id=country_id,
        from_state=before.value,
        to_state=after.value,
        comment=comment,
    )
    notifications.on_transition(session, user, version, action, comment)
    return after


def get_assessment(session: Session, country_id: int, indicator_id: int) -> Assessment:
    assessment = session.scalar(
        select(Assessment).where(
            Assessment.country_id == country_id, Assessment.indicator_id == indicator_id
        )
    )
    if assessment is None:
        assessment = _insert_or_get(
            session,
            Assessment(country_id=country_id, indicator_id=indicator_id),
            select(Assessment).where(
                Assessment.country_id == country_id, Assessment.indicator_id == indicator_id
            ),
        )
    return assessment


def _insert_or_get(session: Session, row, query):
    """Insert a row with a unique key, or, if a concurrent transaction inserted it first (on
    PostgreSQL; SQLite writers queue at BEGIN), the row it inserted."""
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        return session.scalar(query)


def open_version(session: Session, assessment_id: int) -> Version | None:
    return session.scalar(
        select(Version).where(
            Version.assessment_id == assessment_id,
            Version.state.in_([s.value for s in OPEN_STATES]),
        )
    )


def _instrument(session: Session, country_id: int, title: str, year: int | None) -> Instrument:
    title = title.strip()
    instrument = session.scalar(
        select(Instrument).where(
            Instrument.country_id == country_id,
            Instrument.title == title,
            Instrument.year_adopted.is_(None) if year is None else Instrument.year_adopted == year,
        )
    )
    if instrument is None:
        instrument = _insert_or_get(
            session,
            Instrument(country_id=country_id, title=title, year_adopted=year),
            select(Instrument).where(
                Instrument.country_id == country_id,
                Instrument.title == title,
                Instrument.year_adopted.is_(None)
                if year is None
                else Instrument.year_adopted == year,
            ),
        )
    return instrument


def _write_content(session: Session, version: Version, content: VersionContent) -> None:
    country_id = version.assessment.country_id
    version.status = content.status
    version.analysis = content.analysis
    version.analysis_language = content.analysis_language
    version.analysis_source_title = content.analysis_source_title.strip()
    version.analysis_source_year = content.analysis_source_year
    version.citations = [
        Citation(
            instrument=_instrument(session, country_id, c.instrument_title, c.year_adopted),
            position=position,
            provision=c.provision.strip(),
            status_as_of=c.status_as_of,
            url=c.url.strip(),
            language=c.language.strip(),
        )
        for position, c in enumerate(content.citations)
    ]
    version.sources = [
        Source(
            position=position,
            title=s.title.strip(),
            publisher=s.publisher.strip(),
            year=s.year,
            url=s.url.strip(),
        )
        for position, s in enumerate(content.sources)
    ]


def start_draft(user: User, country_id: int, indicator_id: int) -> Version:
    """A new draft, copied from the published version, which becomes its base."""
    with write_transaction() as session:
        country = session.get(Country, country_id)
        indicator = session.get(Indicator, indicator_id)
        if country is None or indicator is None or indicator.is_retired:
            raise NotFound("No such assessment.")
        if not is_editor(user, country_id):
            raise PermissionDenied(gettext("You are not a reviewer for this country."))
        assessment = get_assessment(session, country_id, indicator_id)
        existing = open_version(session, assessment.id)
        if existing is not None:
            raise DraftExists(existing)
        published = assessment.published_version
        version = Version(
            assessment=assessment,
            state=State.DRAFT.value,
            base_version=published,
            created_by_id=user.id,
        )
        session.add(version)
        _add_contributor(version, user)
        try:
            session.flush()
        except IntegrityError:
            # Another request opened a version between our check and our insert.
            session.rollback()
            raise Conflict(
                gettext("Someone else started a draft of this assessment a moment ago.")
            ) from None
        # Copied after the insert: loading the published content would flush it unguarded.
        if published is not None:
            _write_content(session, version, content_of(published))
        audit.record(
            user, Action.START.value, version, country_id=country_id, to_state=State.DRAFT.value
        )
    return version


def save(user: User, version_id: int, content: VersionContent, row_version: int) -> Version:
    """Store the form's content, unless someone saved since the form was opened."""
    errors = problems(content, for_submission=False)
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        if version.row_version != row_version:
            raise StaleForm(version, content)
        _apply(session, user, version, Action.SAVE)
        _write_content(session, version, content)
        version.row_version += 1
        _add_contributor(version, user)
    return version


def submit(user: User, version_id: int, row_version: int | None = None) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        if row_version is not None and version.row_version != row_version:
            raise StaleForm(version, content_of(version))
        errors = problems(content_of(version), for_submission=True)
        _apply(session, user, version, Action.SUBMIT)
        if errors:
            raise ValidationError(gettext("This version is not ready to submit."), errors)
        version.submitted_by_id = user.id
        version.submitted_at = _now()
        version.submitted_row_version = version.row_version
        _add_contributor(version, user)
    return version


def withdraw(user: User, version_id: int) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        _apply(session, user, version, Action.WITHDRAW)
        version.submitted_row_version = None
    return version


def approve(user: User, version_id: int, comment: str | None = None) -> Version:
    """Publish the version; the one it replaces becomes superseded, in the same transaction."""
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        assessment = session.scalar(
            select(Assessment)
            .where(Assessment.id == version.assessment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        last_number = session.scalar(
            select(func.max(Version.number)).where(Version.assessment_id == assessment.id)
        )
        previous = assessment.published_version
        _apply(session, user, version, Action.APPROVE, comment)
        version.number = (last_number or 0) + 1
        if version.row_version != version.submitted_row_version:
            raise Conflict("The version changed after it was submitted; review it again.")
        if version.base_version_id != assessment.published_version_id:
            raise StaleBase(
                "A newer version was published after this draft was started. "
                "Bring the draft up to date before approving it."
            )
        if previous is not None:
            previous.state = State.SUPERSEDED.value
            audit.record(
                user,
                Action.SUPERSEDE.value,
                previous,
                country_id=assessment.country_id,
                from_state=State.PUBLISHED.value,
                to_state=State.SUPERSEDED.value,
            )
        now = _now()
        version.decided_by_id = user.id
        version.decided_at = now
        version.published_at = now
        version.decision_comment = comment
        assessment.published_version = version
        assessment.public_updated_at = now
        version.framework_revision = framework.current_revision(session)
    return version


def _decide(user: User, version_id: int, action: Action, comment: str) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        _apply(session, user, version, action, comment)
        version.decided_by_id = user.id
        version.decided_at = _now()
        version.decision_comment = comment.strip()
        version.submitted_row_version = None
    return version


def request_changes(user: User, version_id: int, comment: str) -> Version:
    return _decide(user, version_id, Action.REQUEST_CHANGES, comment)


def reject(user: User, version_id: int, comment: str) -> Version:
    return _decide(user, version_id, Action.REJECT, comment)


def discard(user: User, version_id: int) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        _apply(session, user, version, Action.DISCARD)
    return version


def retract(user: User, version_id: int, reason: str) -> Version:
    """Withdraw a published assessment from the public profile, saying when and why."""
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        _apply(session, user, version, Action.RETRACT, reason)
        now = _now()
        version.retracted_at = now
        version.retracted_by_id = user.id
        version.retraction_reason = reason.strip()
        assessment = version.assessment
        assessment.published_version_id = None
        assessment.public_updated_at = now
    return version
