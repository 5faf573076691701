"""The indicator framework's structure: add, reorder, retire and restore indicators.

Their texts change only through review (`framework_revisions`): a new indicator is added with
its first text submitted for review, and joins the framework when that is approved. Every change
bumps the framework revision number in the same transaction. A retired indicator leaves the
public profiles but keeps its assessments, versions and permalinks."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import Indicator, User
from ..models.framework import SOURCE_SCOPE, TEXT_FIELDS
from ..workflow import Action
from . import audit, engine, framework_revisions
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .framework_revisions import bump_revision
from .permissions import is_admin

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class IndicatorInput:
    title: str
    definition: str = ""
    rubric_yes: str = ""
    rubric_partial: str = ""
    rubric_no: str = ""


def now() -> datetime:
    return datetime.now(UTC)


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower().replace("&", " ")).strip("-")[:80]


def problems(data: IndicatorInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [gettext("Give the indicator a title.")]
    elif len(data.title.strip()) > 200:
        errors["title"] = [gettext("Use at most %(n)s characters.", n=200)]
    return errors


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(gettext("Only an administrator can change the indicator framework."))


def _get(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(gettext("No such indicator."))
    return indicator


def _record(session: Session, actor: User, action: str, indicator: Indicator, **details) -> None:
    revision = bump_revision(session)
    audit.record(actor, action, indicator, details={"revision": revision, **details})


def all_indicators(actor: User) -> list[Indicator]:
    """Active indicators in their order, then the retired ones."""
    _require_admin(actor)
    return list(
        db.session.scalars(
            select(Indicator).order_by(Indicator.retired_at.is_not(None), Indicator.position)
        )
    )


def add(actor: User, data: IndicatorInput, slug: str = "") -> Indicator:
    """A new indicator, its text submitted for review; it stays off the public site (held as
    retired) until a supervisor approves it. Its slug is fixed for good (permalinks)."""
    _require_admin(actor)
    slug = (slug.strip().lower() or slugify(data.title))[:80]
    errors = problems(data)
    if not SLUG.match(slug):
        errors["slug"] = [
            gettext("Use lower-case letters, digits and single hyphens, e.g. age-of-consent.")
        ]
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    with write_transaction() as session:
        if session.scalar(select(Indicator.id).where(Indicator.slug == slug)) is not None:
            raise ValidationError(
                gettext("Correct the fields marked below."),
                {"slug": [gettext("The slug %(slug)s is taken.", slug=slug)]},
            )
        last = session.scalar(select(func.max(Indicator.position))) or 0
        texts = {name: getattr(data, name).strip() for name in TEXT_FIELDS}
        indicator = Indicator(slug=slug, position=last + 1, retired_at=now(), **texts)
        session.add(indicator)
        session.flush()
        _record(session, actor, "add_indicator", indicator, slug=slug, title=indicator.title)
        revision = framework_revisions.new_revision(session, actor, indicator, SOURCE_SCOPE)
        engine.apply(session, actor, revision, Action.SUBMIT)
        revision.submitted_at = engine.now()
    return indicator


def move(actor: User, indicator_id: int, direction: int) -> Indicator:
    """Swap the indicator with its neighbour among the active ones (-1: up, +1: down)."""
    _require_admin(actor)
    with write_transaction() as session:
        indicator = _get(session, indicator_id)
        if indicator.is_retired:
            raise Conflict(
                gettext("A retired indicator has no place in the order; restore it first.")
            )
        active = list(
            session.scalars(
                select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
            )
        )
        index = active.index(indicator)
        other = index + (1 if direction > 0 else -1)
        if not 0 <= other < len(active):
            return indicator
        active[index], active[other] = active[other], active[index]
        for position, item in enumerate(active, start=1):
            item.position = position
        _record(session, actor, "reorder_indicators", indicator, order=[i.slug for i in active])
    return indicator


def retire(actor: User, indicator_id: int) -> Indicator:
    _require_admin(actor)
    with write_transaction() as session:
        indicator = _get(session, indicator_id)
        if indicator.is_retired:
            raise Conflict(gettext("This indicator is already retired."))
        # Its text as it stood stays on record (`framework_revisions.is_proposed` tells a
        # retired indicator from one awaiting approval by it).
        framework_revisions.in_force(session, indicator)
        indicator.retired_at = datetime.now(UTC)
        _record(session, actor, "retire_indicator", indicator, slug=indicator.slug)
    return indicator


def restore(actor: User, indicator_id: int) -> Indicator:
    """Bring a retired indicator back, at the end of the order."""
    _require_admin(actor)
    with write_transaction() as session:
        indicator = _get(session, indicator_id)
        if framework_revisions.is_proposed(indicator):
            raise Conflict(gettext("This indicator joins the framework when its text is approved."))
        if not indicator.is_retired:
            raise Conflict(gettext("This indicator is not retired."))
        indicator.retired_at = None
        last = session.scalar(
            select(func.max(Indicator.position)).where(Indicator.retired_at.is_(None))
        )
        indicator.position = (last or 0) + 1
        _record(session, actor, "restore_indicator", indicator, slug=indicator.slug)
    return indicator
