"""The review workflow's use cases: one function per transition of `workflow.TRANSITIONS`."""

from datetime import UTC, datetime

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import (
    Assessment,
    Country,
    Indicator,
    Instrument,
    Role,
    RoleGrant,
    User,
    Version,
    VersionContributor,
)
from ..workflow import EDITABLE_STATES, OPEN_STATES, Action, State
from . import audit, framework, notifications
from .content import VersionContent, citation_rows, content_of, problems, source_rows
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .guards import (
    AlreadyDecided,
    DraftExists,
    FourEyes,
    StaleBase,
    StaleForm,
    check,
    check_visible,
    length_problems,
)
from .permissions import can_read_staff, is_editor

__all__ = [  # the exceptions callers catch, re-exported beside the use cases that raise them
    "AlreadyDecided",
    "DraftExists",
    "FourEyes",
    "StaleBase",
    "StaleForm",
]


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
        raise NotFound(gettext("No such version."))
    return version


def _add_contributor(version: Version, user: User) -> None:
    if user.id not in version.contributor_ids:
        version.contributors.append(VersionContributor(user_id=user.id))


def _apply(
    session: Session, user: User, version: Version, action: Action, comment: str | None = None
) -> State:
    """Check the table for this actor, move the version, record it; or raise the reason."""
    before, after = check(user, version, action, comment)
    version.state = after.value
    version.updated_at = _now()
    audit.record(
        user,
        action.value,
        version,
        country_id=version.assessment.country_id,
        from_state=before.value,
        to_state=after.value,
        comment=comment.strip() if comment else comment,
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
    version.citations = citation_rows(
        content, lambda title, year: _instrument(session, country_id, title, year)
    )
    version.sources = source_rows(content)


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
        if not can_read_staff(user, country_id):
            raise NotFound(gettext("No such assessment."))
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
        # The partial unique index refuses a concurrent open version: start_draft names its holder.
        session.flush()
        # Copied after the insert: loading the published content would flush it unguarded.
        if published is not None:
            _write_content(session, version, content_of(published))
        audit.record(
            user, Action.START.value, version, country_id=country_id, to_state=State.DRAFT.value
        )
    return version


def save(user: User, version_id: int, content: VersionContent, row_version: int) -> Version:
    """Store the form's content, unless someone saved since the form was opened."""
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        check(user, version, Action.SAVE)
        if version.row_version != row_version:
            raise StaleForm(version, content)
        errors = problems(content, for_submission=False) | length_problems(content)
        if errors:
            raise ValidationError(gettext("Correct the fields marked below."), errors)
        _apply(session, user, version, Action.SAVE)
        _write_content(session, version, content)
        version.row_version += 1
        _add_contributor(version, user)
    return version


def submit(user: User, version_id: int, row_version: int | None = None) -> Version:
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        check(user, version, Action.SUBMIT)
        if row_version is not None and version.row_version != row_version:
            raise StaleForm(version, content_of(version))
        errors = problems(content_of(version), for_submission=True)
        if errors:
            raise ValidationError(gettext("This version is not ready to submit."), errors)
        _apply(session, user, version, Action.SUBMIT)
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
        assessment = session.scalars(
            select(Assessment)
            .where(Assessment.id == version.assessment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        check(user, version, Action.APPROVE, comment)
        if version.row_version != version.submitted_row_version:
            raise Conflict(gettext("The version changed after it was submitted; review it again."))
        if version.base_version_id != assessment.published_version_id:
            raise StaleBase(
                gettext(
                    "The published version changed after this draft was started. "
                    "Bring the draft up to date before approving it."
                )
            )
        last_number = session.scalar(
            select(func.max(Version.number)).where(Version.assessment_id == assessment.id)
        )
        previous = assessment.published_version
        _apply(session, user, version, Action.APPROVE, comment)
        version.number = (last_number or 0) + 1
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
        version.decision_comment = comment.strip() if comment and comment.strip() else None
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


def rebase(user: User, version_id: int) -> Version:
    """Make the currently published version the draft's base, so that it can be approved.

    The content is left as it is: the editor shows what changed in the published version, and
    the reviewer carries over what they need. A submitted version must come back first."""
    with write_transaction() as session:
        version = _locked_version(session, version_id)
        check_visible(user, version)
        country_id = version.assessment.country_id
        if not is_editor(user, country_id):
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
        version.updated_at = _now()
    return version


def supervisor_ids(country_id: int) -> set[int]:
    """Active users who supervise this country (globally or for it)."""
    return set(
        db.session.scalars(
            select(User.id)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                User.active.is_(True),
                RoleGrant.role == Role.SUPERVISOR.value,
                or_(RoleGrant.country_id.is_(None), RoleGrant.country_id == country_id),
            )
        )
    )


def needs_second_supervisor(version: Version, supervisors: set[int]) -> bool:
    """True when every supervisor of the country contributed: nobody could approve it."""
    return not supervisors - version.contributor_ids
