"""What the staff pages of one country or one version need, loaded in a fixed number of statements,
and only for users who may see it (anyone else gets 404, as if it did not exist)."""

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Assessment,
    AuditEvent,
    Citation,
    Country,
    Indicator,
    Instrument,
    NewsItem,
    ProfileChange,
    ReviewRound,
    User,
    Version,
    VersionContributor,
)
from ..services import comments, engine, profile_content, rounds
from ..services.permissions import (
    can_read_staff,
    country_scope,
    eligible_supervisors,
    is_admin,
    supervisor_ids,
)
from ..workflow import OPEN_STATES, Actor, State
from . import public as queries


def country_or_404(user: User, iso2: str) -> Country:
    country = queries.country_by_code(iso2)
    if country is None or not can_read_staff(user, country.id):
        abort(404)
    return country


CONTENT = (
    selectinload(Version.citations).selectinload(Citation.instrument),
    selectinload(Version.sources),
)


def version_or_404(user: User, version_id: int) -> Version:
    version = db.session.scalar(
        select(Version)
        .where(Version.id == version_id)
        .options(
            joinedload(Version.assessment).joinedload(Assessment.country),
            joinedload(Version.assessment).joinedload(Assessment.indicator),
            joinedload(Version.created_by),
            joinedload(Version.submitted_by),
            joinedload(Version.decided_by),
            joinedload(Version.retracted_by),
            selectinload(Version.contributors).joinedload(VersionContributor.user),
            selectinload(Version.base_version),
            *CONTENT,
        )
    )
    if version is None or not can_read_staff(user, version.assessment.country_id):
        abort(404)
    return version


@dataclass
class VersionPage:
    """Everything around one version that its editor or review screen shows."""

    version: Version
    actor: Actor
    published: Version | None
    instruments: list[Instrument]
    thread: list[comments.Entry]
    needs_second_supervisor: bool
    last_save: AuditEvent | None
    # The review rounds so far, and the version the first of them was based on.
    rounds: list[ReviewRound] = field(default_factory=list)
    first_round_base: Version | None = None

    @property
    def stale_base(self) -> bool:
        return self.version.base_version_id != (self.published.id if self.published else None)

    @property
    def open(self) -> bool:
        return State(self.version.state) in OPEN_STATES


def version_page(user: User, version: Version) -> VersionPage:
    assessment = version.assessment
    published = None
    if assessment.published_version_id is not None:
        published = db.session.scalar(
            select(Version).where(Version.id == assessment.published_version_id).options(*CONTENT)
        )
    instruments = list(
        db.session.scalars(
            select(Instrument)
            .where(Instrument.country_id == assessment.country_id)
            .order_by(Instrument.title, Instrument.year_adopted)
        )
    )
    last_save = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "version",
            AuditEvent.object_id == version.id,
            AuditEvent.action.in_(("save", "start")),
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    supervisors = supervisor_ids(assessment.country_id)
    decided = rounds.of_version(version.id)
    return VersionPage(
        version=version,
        actor=engine.actor(user, version),
        published=published,
        instruments=instruments,
        thread=comments.thread(version.id),
        needs_second_supervisor=(
            State(version.state) in OPEN_STATES and not eligible_supervisors(version, supervisors)
        ),
        last_save=last_save,
        rounds=decided,
        first_round_base=_version_with_content(decided[0].base_version_id, published)
        if decided
        else None,
    )


def _version_with_content(version_id: int | None, loaded: Version | None) -> Version | None:
    """The version with its citations and sources: `loaded` if it is that one."""
    if version_id is None:
        return None
    if loaded is not None and loaded.id == version_id:
        return loaded
    return db.session.scalar(select(Version).where(Version.id == version_id).options(*CONTENT))


@dataclass
class CountryRow:
    indicator: Indicator
    assessment: Assessment | None
    open_version: Version | None
    needs_second_supervisor: bool


def country_rows(country: Country) -> list[CountryRow]:
    """Each active indicator with its published version and open work, in four statements."""
    indicators = queries.active_indicators()
    found = {
        a.indicator_id: a
        for a in db.session.scalars(
            select(Assessment)
            .where(Assessment.country_id == country.id)
            .options(selectinload(Assessment.published_version))
        )
    }
    open_versions = {
        v.assessment_id: v
        for v in db.session.scalars(
            select(Version)
            .join(Version.assessment)
            .where(
                Assessment.country_id == country.id,
                Version.state.in_([s.value for s in OPEN_STATES]),
            )
            .options(joinedload(Version.created_by), selectinload(Version.contributors))
        )
    }
    supervisors = supervisor_ids(country.id)
    result = []
    for indicator in indicators:
        assessment = found.get(indicator.id)
        version = open_versions.get(assessment.id) if assessment else None
        flagged = version is not None and not eligible_supervisors(version, supervisors)
        result.append(CountryRow(indicator, assessment, version, flagged))
    return result


def profile_items(country: Country) -> dict[str, list]:
    """The country's current profile content, by kind."""
    found = {}
    for kind, model in profile_content.MODELS.items():
        order = model.published_on.desc() if model is NewsItem else model.position
        found[kind] = list(
            db.session.scalars(select(model).where(model.country_id == country.id).order_by(order))
        )
    return found


def open_profile_changes(user: User, country_id: int | None = None) -> list[ProfileChange]:
    """Open changes the user may see, oldest first."""
    query = (
        select(ProfileChange)
        .where(ProfileChange.state.in_([s.value for s in OPEN_STATES]))
        .options(joinedload(ProfileChange.country), joinedload(ProfileChange.created_by))
        .order_by(ProfileChange.updated_at)
    )
    if country_id is not None:
        query = query.where(ProfileChange.country_id == country_id)
    scope = None if is_admin(user) else country_scope(user)
    if scope is not None:
        query = query.where(ProfileChange.country_id.in_(scope))
    return list(db.session.scalars(query))
