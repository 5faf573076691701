"""Instruments with a life: their country's reviewers and supervisors record an instrument's
adoption, its amendments (date, note, link) and its repeal.

An amendment or a repeal dated after a published assessment's "status as of" marks every
assessment citing the instrument as needing re-review (`queries/evidence.py`); the country's
reviewers and supervisors are told, in the same transaction. The public pages show the
instrument's status and the notice, so the audit event (object type "instrument") moves the
public revision.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Assessment, Instrument, InstrumentEvent, InstrumentEventKind, User, Version
from ..queries import evidence
from . import audit, notifications
from .errors import NotFound, PermissionDenied, ValidationError
from .permissions import is_editor

NOTE_MAX = 2000
URL_MAX = 500


@dataclass(frozen=True)
class EventInput:
    kind: str
    dated: date | None
    note: str = ""
    url: str = ""


def instrument_for(user: User, instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFound(gettext("No such instrument."))
    if not is_editor(user, instrument.country_id):
        raise PermissionDenied(
            gettext("Only a reviewer or supervisor of this country can do this.")
        )
    return instrument


def _problems(instrument: Instrument, given: EventInput, recorded: list[InstrumentEvent]):
    errors: dict[str, list[str]] = {}
    kinds = {k.value for k in InstrumentEventKind}
    if given.kind not in kinds:
        errors["kind"] = [gettext("Choose adoption, amendment or repeal.")]
    if given.dated is None:
        errors["dated"] = [gettext("Give the date, e.g. 2024-03-31.")]
    elif given.dated.year < 1000 or given.dated.year > 2999:
        errors["dated"] = [gettext("Give a date between the years 1000 and 2999.")]
    url = given.url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        errors["url"] = [gettext("Give a web address starting with https:// or http://.")]
    elif len(url) > URL_MAX:
        errors["url"] = [gettext("At most %(n)s characters.", n=URL_MAX)]
    if len(given.note) > NOTE_MAX:
        errors["note"] = [gettext("At most %(n)s characters.", n=NOTE_MAX)]
    once = (InstrumentEventKind.ADOPTED.value, InstrumentEventKind.REPEALED.value)
    if given.kind in once and any(e.kind == given.kind for e in recorded):
        message = (
            gettext("Its adoption is already recorded.")
            if given.kind == InstrumentEventKind.ADOPTED
            else gettext("Its repeal is already recorded.")
        )
        errors["kind"] = [message]
    return errors


def record_event(user: User, instrument_id: int, given: EventInput) -> InstrumentEvent:
    """Record one step of the instrument's life; tell the reviewers of what it outdates."""
    with write_transaction() as session:
        instrument = instrument_for(user, instrument_id)
        recorded = list(
            session.scalars(
                select(InstrumentEvent).where(InstrumentEvent.instrument_id == instrument.id)
            )
        )
        errors = _problems(instrument, given, recorded)
        if errors:
            raise ValidationError(gettext("Correct the fields marked below."), errors)
        assert given.dated is not None
        event = InstrumentEvent(
            instrument_id=instrument.id,
            kind=given.kind,
            dated=given.dated,
            note=given.note.strip(),
            url=given.url.strip(),
            recorded_by_id=user.id,
        )
        session.add(event)
        session.flush()
        audit.record(
            user,
            f"instrument_{given.kind}",
            instrument,
            country_id=instrument.country_id,
            details={"event": event.id, "dated": given.dated.isoformat()},
        )
        if given.kind != InstrumentEventKind.ADOPTED:
            outdated = evidence.outdated(
                Assessment.country_id == instrument.country_id,
                InstrumentEvent.id == event.id,
            )
            versions = list(session.scalars(select(Version).where(Version.id.in_(list(outdated)))))
            notifications.on_instrument_change(session, user, instrument, given.kind, versions)
    return event


def country_instruments(country_id: int) -> list[Instrument]:
    return list(
        db.session.scalars(
            select(Instrument)
            .where(Instrument.country_id == country_id)
            .order_by(Instrument.title, Instrument.year_adopted)
        )
    )
