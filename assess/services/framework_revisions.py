"""The indicator framework's texts under review: every change to an indicator's title,
definition or rubric, and every translation of them, is a revision drafted, submitted and
approved with four eyes (`engine`), like an assessment version.

An administrator's revision changes the source text; a translator's changes one language's
translation. Either way the approved row holds the whole text as it stood, so the public history
of the framework can show any revision, and each published version points at the one it was
assessed under. Approval copies the text onto the indicator (what every page reads) and counts a
new framework revision."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import translated
from ..database import write_transaction
from ..extensions import db
from ..models import FrameworkRevision, Indicator, IndicatorRevision, User
from ..models.framework import SOURCE_SCOPE, TEXT_FIELDS
from ..search import index as search_index
from ..workflow import OPEN_STATES, Action, State
from . import audit, engine
from .errors import Conflict, ItemNotFound, NotFound, PermissionDenied, ValidationError
from .permissions import eligible_supervisors, is_admin

LIMITS = {"title": 200, "definition": 20000, "rubric_yes": 5000, "rubric_partial": 5000,
          "rubric_no": 5000}  # fmt: skip


@dataclass(frozen=True)
class RevisionInput:
    """What a form proposes: the source texts, or one language's translations (with the fields
    whose unchanged translation the translator confirms is still right for the new original)."""

    texts: Mapping[str, str]
    row_version: int | None = None
    confirmed: frozenset[str] = field(default_factory=frozenset)


def current_revision(session: Session | None = None) -> int:
    query = select(FrameworkRevision.revision).where(FrameworkRevision.id == 1)
    return (session.scalar(query) if session is not None else db.session.scalar(query)) or 1


def bump_revision(session: Session) -> int:
    """Next revision, in the caller's transaction (the write lock orders concurrent bumps)."""
    now = datetime.now(UTC)
    result: CursorResult = session.execute(  # type: ignore[assignment]
        update(FrameworkRevision)
        .where(FrameworkRevision.id == 1)
        .values(revision=FrameworkRevision.revision + 1, changed_at=now)
    )
    if result.rowcount == 0:
        session.add(FrameworkRevision(id=1, revision=2, changed_at=now))
        session.flush()
    return current_revision(session)


def translation_languages() -> list[str]:
    """The languages indicator texts are translated into: every interface language but the
    one they are written in."""
    source = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [code for code in current_app.config["LANGUAGES"] if code != source]


def _check_scope(scope: str) -> None:
    if scope != SOURCE_SCOPE and scope not in translation_languages():
        raise NotFound(gettext("No such language."))


def _problems(texts: Mapping[str, str], title_required: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, limit in LIMITS.items():
        value = (texts.get(name) or "").strip()
        if name == "title" and title_required and not value:
            errors[name] = [gettext("Give the indicator a title.")]
        elif len(value) > limit:
            errors[name] = [gettext("Use at most %(n)s characters.", n=limit)]
    return errors


def check_source(texts: Mapping[str, str]) -> dict[str, str]:
    """The source texts cleaned, or a `ValidationError` naming each bad field."""
    errors = _problems(texts, title_required=True)
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    return {name: (texts.get(name) or "").strip() for name in TEXT_FIELDS}


def in_force(session: Session, indicator: Indicator) -> IndicatorRevision | None:
    """The revision in force; recorded from the indicator's columns for one that has none yet
    (added before revisions were kept). None for an indicator still awaiting its first approval."""
    if indicator.current_revision_id is not None:
        return session.get(IndicatorRevision, indicator.current_revision_id)
    if is_proposed(indicator):
        return None
    revision = IndicatorRevision(
        indicator_id=indicator.id,
        number=_next_number(session, indicator.id),
        scope=SOURCE_SCOPE,
        state=State.PUBLISHED.value,
        translations=dict(indicator.translations or {}),
        decided_at=engine.now(),
        framework_revision=current_revision(session),
        **{name: getattr(indicator, name) or "" for name in TEXT_FIELDS},
    )
    session.add(revision)
    session.flush()
    indicator.current_revision_id = revision.id
    return revision


def is_proposed(indicator: Indicator) -> bool:
    """Added, but its first text not yet approved: off every public page until it is."""
    return bool(indicator.is_proposed)


def _next_number(session: Session, indicator_id: int) -> int:
    last = session.scalar(
        select(func.max(IndicatorRevision.number)).where(
            IndicatorRevision.indicator_id == indicator_id
        )
    )
    return (last or 0) + 1


def open_revision(indicator_id: int, scope: str) -> IndicatorRevision | None:
    return db.session.scalar(
        select(IndicatorRevision).where(
            IndicatorRevision.indicator_id == indicator_id,
            IndicatorRevision.scope == scope,
            IndicatorRevision.state.in_([s.value for s in OPEN_STATES]),
        )
    )


def _indicator(session: Session, indicator_id: int, lock: bool = False) -> Indicator:
    query = select(Indicator).where(Indicator.id == indicator_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    indicator = session.scalar(query)
    if indicator is None:
        raise NotFound(gettext("No such indicator."))
    return indicator


def check_start(user: User, scope: str) -> None:
    """Whether the user may start a revision of this scope: new wording is an administrator's,
    a translation an administrator's or a translator's."""
    _check_scope(scope)
    if scope == SOURCE_SCOPE and not is_admin(user):
        raise PermissionDenied(gettext("Only an administrator can propose new wording."))
    engine.check_start(user, IndicatorRevision, None)


def new_revision(
    session: Session, user: User, indicator: Indicator, scope: str
) -> IndicatorRevision:
    """A draft of `scope` copied from the text in force, in the caller's transaction."""
    check_start(user, scope)
    base = in_force(session, indicator)
    origin = base if base is not None else indicator
    revision = IndicatorRevision(
        indicator_id=indicator.id,
        scope=scope,
        base_revision_id=base.id if base else None,
        created_by_id=user.id,
        translations=dict(origin.translations or {}),
        **{name: getattr(origin, name) or "" for name in TEXT_FIELDS},
    )
    revision.indicator = indicator
    engine.start(session, user, revision)
    return revision


def start(user: User, indicator_id: int, scope: str) -> IndicatorRevision:
    """Start a revision of an indicator's source text (`scope` "source") or of its translation
    into one language; one open revision per indicator and scope."""
    try:
        check_start(user, scope)
        with write_transaction() as session:
            indicator = _indicator(session, indicator_id)
            if open_revision(indicator_id, scope) is not None:
                raise _held(indicator_id, scope)
            return new_revision(session, user, indicator, scope)
    except IntegrityError:  # started at the same moment by someone else
        raise _held(indicator_id, scope) from None


def _held(indicator_id: int, scope: str) -> Conflict:
    held = open_revision(indicator_id, scope)
    name = held.created_by.display_name if held and held.created_by else gettext("someone")
    return Conflict(gettext("%(name)s already has this text under revision.", name=name))


def _locked(session: Session, revision_id: int, user: User) -> IndicatorRevision:
    revision = engine.locked(session, IndicatorRevision, revision_id, user)
    assert isinstance(revision, IndicatorRevision)
    return revision


def _write(revision: IndicatorRevision, data: RevisionInput) -> None:
    if not revision.is_translation:
        for name, value in check_source(data.texts).items():
            setattr(revision, name, value)
        return
    errors = _problems(data.texts, title_required=False)
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    language = revision.scope
    sources = translated.sources_for(
        revision.translations, language, data.texts, revision.texts(), data.confirmed
    )
    texts = {name: data.texts.get(name) or "" for name in TEXT_FIELDS}
    revision.translations = translated.replaced(revision.translations, language, texts, sources)


def save(
    user: User, revision_id: int, data: RevisionInput, submit: bool = False
) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.apply(session, user, revision, Action.SAVE)
        if data.row_version is not None and data.row_version != revision.row_version:
            raise Conflict(
                gettext("Someone saved this revision after you opened it; open it again.")
            )
        _write(revision, data)
        revision.row_version += 1
        revision.add_contributor(user.id)
        if submit:
            engine.submit(session, user, revision)
    return revision


def propose(
    user: User, indicator_id: int, scope: str, data: RevisionInput, submit: bool = False
) -> IndicatorRevision:
    """Save `data` into the open revision of this scope (started now if there is none)."""
    held = open_revision(indicator_id, scope)
    if held is None:
        held = start(user, indicator_id, scope)
        data = RevisionInput(data.texts, held.row_version, data.confirmed)
    return save(user, held.id, data, submit=submit)


def submit(user: User, revision_id: int) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.submit(session, user, revision)
    return revision


def withdraw(user: User, revision_id: int) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.apply(session, user, revision, Action.WITHDRAW)
    return revision


def discard(user: User, revision_id: int) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.apply(session, user, revision, Action.DISCARD)
    return revision


def request_changes(user: User, revision_id: int, comment: str) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.decide(session, user, revision, Action.REQUEST_CHANGES, comment)
    return revision


def reject(user: User, revision_id: int, comment: str) -> IndicatorRevision:
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.decide(session, user, revision, Action.REJECT, comment)
    return revision


def approve(user: User, revision_id: int, comment: str | None = None) -> IndicatorRevision:
    """Put the revision in force: the whole text as it now stands (this revision's scope over
    the revision in force, which translations may have changed since it started), numbered,
    copied onto the indicator, the previous revision superseded."""
    with write_transaction() as session:
        revision = _locked(session, revision_id, user)
        engine.check(user, revision, Action.APPROVE, comment)
        indicator = _indicator(session, revision.indicator_id, lock=True)
        previous = in_force(session, indicator)
        if previous is not None:
            _merge(revision, previous)
        number = _next_number(session, indicator.id)
        engine.decide(session, user, revision, Action.APPROVE, comment)
        revision.number = number
        if previous is not None:
            previous.state = State.SUPERSEDED.value
            audit.record(
                user,
                IndicatorRevision.audit_action(Action.SUPERSEDE),
                previous,
                from_state=State.PUBLISHED.value,
                to_state=State.SUPERSEDED.value,
            )
        changes = changed_fields(previous, revision)
        _put_in_force(session, indicator, revision)
        search_index.retitle(session, indicator)  # found by its new wording or translation
        revision.framework_revision = bump_revision(session)
        # On the indicator itself: what the public pages show changed (`PUBLIC_OBJECT_TYPES`).
        audit.record(
            user,
            "revise_indicator",
            indicator,
            details={
                "revision": revision.number,
                "framework_revision": revision.framework_revision,
                "scope": revision.scope,
                "changes": changes,
            },
        )
    return revision


def _merge(revision: IndicatorRevision, previous: IndicatorRevision) -> None:
    if revision.is_translation:
        for name in TEXT_FIELDS:
            setattr(revision, name, getattr(previous, name))
        mine = (revision.translations or {}).get(revision.scope)
        merged = {k: v for k, v in (previous.translations or {}).items() if k != revision.scope}
        revision.translations = merged | ({revision.scope: mine} if mine else {})
    else:
        revision.translations = dict(previous.translations or {})


def _put_in_force(session: Session, indicator: Indicator, revision: IndicatorRevision) -> None:
    first = is_proposed(indicator)
    for name in TEXT_FIELDS:
        setattr(indicator, name, getattr(revision, name))
    indicator.translations = dict(revision.translations or {})
    indicator.current_revision_id = revision.id
    if first:  # a new indicator joins the framework, at the end
        last = session.scalar(
            select(func.max(Indicator.position)).where(Indicator.retired_at.is_(None))
        )
        indicator.retired_at = None
        indicator.position = (last or 0) + 1


def changed_fields(old: IndicatorRevision | None, new: IndicatorRevision) -> list[str]:
    """The fields of `new` that differ from `old`: "definition", or "fr:title" for a
    translation."""
    changed = [n for n in TEXT_FIELDS if old is None or getattr(old, n) != getattr(new, n)]
    for language in sorted(
        set(old.translations or {} if old else {}) | set(new.translations or {})
    ):
        for name in TEXT_FIELDS:
            before = translated.entry(old.translations if old else None, language, name)
            after = translated.entry(new.translations, language, name)
            if before.get("text") != after.get("text"):
                changed.append(f"{language}:{name}")
    return changed


def get(user: User, revision_id: int) -> IndicatorRevision:
    revision = db.session.get(IndicatorRevision, revision_id)
    if revision is None:
        raise ItemNotFound(IndicatorRevision.review_kind)
    engine.check_visible(user, revision)
    return revision


def check(user: User, revision_id: int, action: Action, comment: str | None = None) -> None:
    """Whether the user may take `action` on the revision now, changing nothing (the refusal
    `action` would raise): a confirmation step asks only when the action would be taken."""
    engine.check(user, get(user, revision_id), action, comment)


def actions_for(user: User, revision: IndicatorRevision) -> set[Action]:
    return engine.actions_for(user, revision) - {Action.RETRACT}


def has_eligible_supervisor(revision: IndicatorRevision) -> bool:
    """Whether anyone may decide it: a global supervisor who did not contribute."""
    return bool(eligible_supervisors(revision))


def open_by_indicator() -> dict[int, list[IndicatorRevision]]:
    """Indicator id -> its open revisions (the source text's first, then by language)."""
    found: dict[int, list[IndicatorRevision]] = {}
    for revision in db.session.scalars(
        select(IndicatorRevision)
        .where(IndicatorRevision.state.in_([s.value for s in OPEN_STATES]))
        .order_by(IndicatorRevision.indicator_id, IndicatorRevision.scope != SOURCE_SCOPE)
    ):
        found.setdefault(revision.indicator_id, []).append(revision)
    return found
