"""The review workflow of assessment versions: one function per transition of
`workflow.TRANSITIONS`.

The review engine (`engine.py`) checks the table, moves the state and records it; this module adds
what belongs to versions: the content copied on start, the optimistic lock on save, the completed
submission, and on approval the number, the superseded predecessor and the publication."""

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import jobs
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Assessment,
    Country,
    Indicator,
    Instrument,
    User,
    Version,
)
from ..search import index as search_index
from ..workflow import EDITABLE_STATES, OPEN_STATES, Action, State
from . import audit, engine, framework_revisions, links, rounds
from .content import (
    VersionContent,
    content_of,
    file_problems,
    length_problems,
    new_citations,
    new_sources,
    problems,
)
from .errors import (
    AlreadyDecided,
    Conflict,
    DraftExists,
    FourEyes,
    NotFound,
    PermissionDenied,
    StaleBase,
    StaleForm,
    ValidationError,
)

__all__ = [  # the exceptions callers catch, re-exported beside the use cases that raise them
    "AlreadyDecided",
    "DraftExists",
    "FourEyes",
    "StaleBase",
    "StaleForm",
]


SAVE_CHECK_FRESH_SECONDS = 3600


def _locked_version(session: Session, version_id: int, user: User) -> Version:
    version = engine.locked(session, Version, version_id, user)
    assert isinstance(version, Version)
    return version


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
    version.citations = new_citations(
        content, lambda title, year: _instrument(session, country_id, title, year)
    )
    version.sources = new_sources(content)


def start_draft(user: User, country_id: int, indicator_id: int) -> Version:
    """A new draft, copied from the published version, which becomes its base."""
    try:
        return _start_draft(user, country_id, indicator_id)
    except IntegrityError:
        # Another request opened a version (or created the assessment) between our check and
        # our insert: name who holds it, as the check would have.
        session = db.session()
        session.rollback()
        assessment = session.scalar(
            select(Assessment).where(
                Assessment.country_id == country_id, Assessment.indicator_id == indicator_id
            )
        )
        existing = open_version(session, assessment.id) if assessment else None
        if existing is not None:
            raise DraftExists(existing) from None
        raise Conflict(
            gettext("Someone else started a draft of this assessment a moment ago.")
        ) from None


def _start_draft(user: User, country_id: int, indicator_id: int) -> Version:
    with write_transaction() as session:
        country = session.get(Country, country_id)
        indicator = session.get(Indicator, indicator_id)
        if country is None or indicator is None or indicator.is_retired:
            raise NotFound(gettext("No such assessment."))
        engine.check_start(user, Version, country_id)
        assessment = get_assessment(session, country_id, indicator_id)
        existing = open_version(session, assessment.id)
        if existing is not None:
            raise DraftExists(existing)
        published = assessment.published_version
        version = Version(assessment=assessment, base_version=published, created_by_id=user.id)
        # The partial unique index refuses a concurrent open version: start_draft names its holder.
        engine.start(session, user, version)
        # Copied after the insert: loading the published content would flush it unguarded.
        if published is not None:
            _write_content(session, version, content_of(published))
    return version


def _save(
    session: Session,
    user: User,
    version: Version,
    content: VersionContent,
    row_version: int,
    uploaded: frozenset[str],
) -> None:
    engine.check(user, version, Action.SAVE)
    if version.row_version != row_version:
        raise StaleForm(version, content)
    if content == content_of(version):
        return  # unchanged: no new save to record
    errors = problems(content, for_submission=False) | length_problems(content)
    errors |= file_problems(content, content_of(version), uploaded)
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    engine.apply(session, user, version, Action.SAVE)
    _write_content(session, version, content)
    version.row_version += 1
    version.add_contributor(user.id)
    # Its links, in the background (those checked in the last hour stay as they are).
    if links.urls_of(version):
        jobs.after_commit(session, "check_version_links", version, SAVE_CHECK_FRESH_SECONDS)


def _submit(session: Session, user: User, version: Version, row_version: int | None) -> None:
    engine.check(user, version, Action.SUBMIT)
    if row_version is not None and version.row_version != row_version:
        raise StaleForm(version, content_of(version))
    errors = problems(content_of(version), for_submission=True)
    if errors:
        raise ValidationError(gettext("This version is not ready to submit."), errors)
    engine.submit(session, user, version)
    version.submitted_by_id = user.id
    version.submitted_row_version = version.row_version
    if links.urls_of(version):
        jobs.after_commit(session, "check_version_links", version, 0)  # all, for the supervisor


def save(
    user: User,
    version_id: int,
    content: VersionContent,
    row_version: int,
    uploaded: frozenset[str] = frozenset(),
) -> Version:
    """Store the form's content, unless someone saved since the form was opened; content equal
    to what is stored records nothing. A source's file must be one the version has, or one of
    `uploaded` (stored by this request, or one it vouches for)."""
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        _save(session, user, version, content, row_version, uploaded)
    return version


def submit(user: User, version_id: int, row_version: int | None = None) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        _submit(session, user, version, row_version)
    return version


def save_and_submit(
    user: User,
    version_id: int,
    content: VersionContent,
    row_version: int,
    uploaded: frozenset[str] = frozenset(),
) -> Version:
    """Save the form's content and submit it, in one transaction: both, or neither."""
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        _save(session, user, version, content, row_version, uploaded)
        _submit(session, user, version, version.row_version)
    return version


def withdraw(user: User, version_id: int) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        engine.apply(session, user, version, Action.WITHDRAW)
        version.submitted_row_version = None
    return version


def approve(user: User, version_id: int, comment: str | None = None) -> Version:
    """Publish the version; the one it replaces becomes superseded, in the same transaction."""
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        assessment = session.scalars(
            select(Assessment)
            .where(Assessment.id == version.assessment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        engine.check(user, version, Action.APPROVE, comment)
        if version.row_version != version.submitted_row_version:
            raise Conflict(gettext("The version changed after it was submitted; review it again."))
        if version.base_version_id != assessment.published_version_id:
            raise StaleBase()
        last_number = session.scalar(
            select(func.max(Version.number)).where(Version.assessment_id == assessment.id)
        )
        previous = assessment.published_version
        round_number = rounds.next_number(session, version.id)
        now = engine.decide(
            session, user, version, Action.APPROVE, comment, {"round": round_number}
        )
        version.number = (last_number or 0) + 1
        rounds.record(session, user, version, Action.APPROVE, round_number, now)
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
        version.published_at = now
        assessment.published_version = version
        assessment.public_updated_at = now
        version.framework_revision = framework_revisions.current_revision(session)
        # The indicator's text it was assessed under, as in force now (recorded if need be).
        in_force = framework_revisions.in_force(session, assessment.indicator)
        version.indicator_revision_id = in_force.id if in_force else None
        search_index.update(session, assessment, version)  # searchable as it becomes public
        if links.urls_of(version):
            links.accept_current(session, version)
            jobs.after_commit(session, "archive_version", version)  # what the reviewer relied on
    return version


def _return_or_reject(user: User, version_id: int, action: Action, comment: str) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        round_number = rounds.next_number(session, version.id)
        decided_at = engine.decide(session, user, version, action, comment, {"round": round_number})
        rounds.record(session, user, version, action, round_number, decided_at)
        version.submitted_row_version = None
    return version


def request_changes(user: User, version_id: int, comment: str) -> Version:
    return _return_or_reject(user, version_id, Action.REQUEST_CHANGES, comment)


def reject(user: User, version_id: int, comment: str) -> Version:
    return _return_or_reject(user, version_id, Action.REJECT, comment)


def check(user: User, version_id: int, action: Action, comment: str | None = None) -> None:
    """Whether the user may take `action` on the version now, changing nothing: the refusal
    `action` itself would raise, so that a confirmation step asks only when it would succeed."""
    version = db.session.get(Version, version_id)
    if version is None:
        raise NotFound(gettext("No such version."))
    engine.check(user, version, action, comment)


def discard(user: User, version_id: int) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        engine.apply(session, user, version, Action.DISCARD)
    return version


def retract(user: User, version_id: int, reason: str) -> Version:
    """Withdraw a published assessment from the public profile, saying when and why."""
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        engine.apply(session, user, version, Action.RETRACT, reason)
        now = engine.now()
        version.retracted_at = now
        version.retracted_by_id = user.id
        version.retraction_reason = reason.strip()
        assessment = version.assessment
        assessment.published_version_id = None
        assessment.public_updated_at = now
        search_index.update(session, assessment, None)  # no longer found once withdrawn
    return version


def rebase(user: User, version_id: int) -> Version:
    """Make the currently published version the draft's base, so that it can be approved.

    The content is left as it is: the editor shows what changed in the published version, and
    the reviewer carries over what they need. A submitted version must come back first."""
    with write_transaction() as session:
        version = _locked_version(session, version_id, user)
        country_id = version.assessment.country_id
        if not engine.actor(user, version).is_editor:
            raise PermissionDenied(
                gettext("Only a reviewer or supervisor of this country can do this.")
            )
        state = State(version.state)
        if state == State.SUBMITTED:
            raise Conflict(
                gettext(
                    "This version is submitted: withdraw it, or have it returned for changes, "
                    "before bringing it up to date."
                )
            )
        if state not in EDITABLE_STATES:
            raise Conflict(gettext("Only a draft can be brought up to date."))
        published_id = session.scalar(
            select(Assessment.published_version_id)
            .where(Assessment.id == version.assessment_id)
            .with_for_update()
        )
        if version.base_version_id == published_id:
            return version
        audit.record(
            user,
            "rebase",
            version,
            country_id=country_id,
            from_state=state.value,
            to_state=state.value,
            details={"from_base": version.base_version_id, "to_base": published_id},
        )
        version.base_version_id = published_id
        version.updated_at = engine.now()
    return version
