"""The right of reply: a named organisation's response to an assessment, through the review engine.

The country's reviewers and supervisors enter a reply on the organisation's behalf (its name, its
role, the text, the date it was received, a link); it moves through `workflow.TRANSITIONS` like a
profile change: drafted and submitted by the country's staff, approved by a supervisor of the
country who did not contribute to it (four eyes). Once approved the public assessment page and the
profile show it beside the assessment; the public revision counts approved replies
(`queries.public.public_revision`), so the public pages show it at once."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import Country, Indicator, Reply, ReplyRole, User
from ..workflow import Action
from . import assessments, engine
from .errors import ItemNotFound, NotFound, ValidationError

ORGANISATION_MAX = 200
TEXT_MAX = 20000
URL_MAX = 500


@dataclass(frozen=True)
class ReplyInput:
    organisation: str = ""
    role: str = ""
    text: str = ""
    language: str = ""
    received_on: str = ""  # YYYY-MM-DD
    url: str = ""


def clean(data: ReplyInput) -> dict:
    """The reply's fields checked and normalised, or a `ValidationError` naming each wrong one."""
    errors: dict[str, list[str]] = {}
    required = gettext("This field is required.")
    organisation = data.organisation.strip()
    if not organisation:
        errors["organisation"] = [required]
    elif len(organisation) > ORGANISATION_MAX:
        errors["organisation"] = [gettext("Use at most %(n)s characters.", n=ORGANISATION_MAX)]
    if data.role not in {r.value for r in ReplyRole}:
        errors["role"] = [gettext("Choose the organisation's role.")]
    text = data.text.strip()
    if not text:
        errors["text"] = [required]
    elif len(text) > TEXT_MAX:
        errors["text"] = [gettext("Use at most %(n)s characters.", n=TEXT_MAX)]
    language = data.language.strip().lower() or current_app.config["BABEL_DEFAULT_LOCALE"]
    if not (language.isascii() and language.replace("-", "").isalpha() and len(language) <= 8):
        errors["language"] = [gettext("Enter a language code such as en, fr or ru.")]
    received: date | None = None
    try:
        received = date.fromisoformat(data.received_on.strip())
    except ValueError:
        errors["received_on"] = [gettext("Enter a date as YYYY-MM-DD.")]
    if received is not None and received > date.today():
        errors["received_on"] = [gettext("The date cannot be in the future.")]
    url = data.url.strip()
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = [gettext("Enter a web address starting with https://.")]
    elif len(url) > URL_MAX:
        errors["url"] = [gettext("Use at most %(n)s characters.", n=URL_MAX)]
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    return {
        "organisation": organisation,
        "role": data.role,
        "text": text,
        "language": language,
        "received_on": received,
        "url": url,
    }


def _locked(session: Session, reply_id: int, user: User) -> Reply:
    reply = engine.locked(session, Reply, reply_id, user)
    assert isinstance(reply, Reply)
    return reply


def get(user: User, reply_id: int) -> Reply:
    reply = db.session.get(Reply, reply_id)
    if reply is None:
        raise ItemNotFound(Reply.review_kind)
    engine.check_visible(user, reply)
    return reply


def actions_for(user: User, reply: Reply) -> set[Action]:
    return engine.actions_for(user, reply)


def check_start(user: User, country_id: int) -> None:
    engine.check_start(user, Reply, country_id)


def propose(
    user: User, country_id: int, indicator_id: int, data: ReplyInput, submit: bool = False
) -> Reply:
    """A draft reply on the assessment (submitted for review at once when `submit`)."""
    engine.check_start(user, Reply, country_id)
    fields = clean(data)
    with write_transaction() as session:
        country = session.get(Country, country_id)
        indicator = session.get(Indicator, indicator_id)
        if country is None or indicator is None:
            raise NotFound(gettext("No such assessment."))
        assessment = assessments.get_assessment(session, country_id, indicator_id)
        reply = Reply(
            assessment_id=assessment.id,
            country_id=country_id,
            created_by_id=user.id,
            **fields,
        )
        reply.assessment = assessment
        engine.start(session, user, reply)
        if submit:
            _submit(session, user, reply)
    return reply


def update(user: User, reply_id: int, data: ReplyInput, submit: bool = False) -> Reply:
    with write_transaction() as session:
        reply = _locked(session, reply_id, user)
        engine.check(user, reply, Action.SAVE)
        fields = clean(data)
        engine.apply(session, user, reply, Action.SAVE)
        for name, value in fields.items():
            setattr(reply, name, value)
        reply.add_contributor(user.id)
        if submit:
            _submit(session, user, reply)
    return reply


def _submit(session: Session, user: User, reply: Reply) -> None:
    engine.apply(session, user, reply, Action.SUBMIT)
    reply.submitted_at = engine.now()
    reply.add_contributor(user.id)


def submit(user: User, reply_id: int) -> Reply:
    with write_transaction() as session:
        reply = _locked(session, reply_id, user)
        _submit(session, user, reply)
    return reply


def _apply(user: User, reply_id: int, action: Action, comment: str | None = None) -> Reply:
    with write_transaction() as session:
        reply = _locked(session, reply_id, user)
        engine.apply(session, user, reply, action, comment)
    return reply


def withdraw(user: User, reply_id: int) -> Reply:
    return _apply(user, reply_id, Action.WITHDRAW)


def discard(user: User, reply_id: int) -> Reply:
    return _apply(user, reply_id, Action.DISCARD)


def retract(user: User, reply_id: int, comment: str) -> Reply:
    """Take an approved reply off the public pages (the reason is required and audited)."""
    return _apply(user, reply_id, Action.RETRACT, comment)


def _decide(user: User, reply_id: int, action: Action, comment: str | None) -> Reply:
    with write_transaction() as session:
        reply = _locked(session, reply_id, user)
        engine.decide(session, user, reply, action, comment)
    return reply


def approve(user: User, reply_id: int, comment: str | None = None) -> Reply:
    return _decide(user, reply_id, Action.APPROVE, comment)


def request_changes(user: User, reply_id: int, comment: str) -> Reply:
    return _decide(user, reply_id, Action.REQUEST_CHANGES, comment)


def reject(user: User, reply_id: int, comment: str) -> Reply:
    return _decide(user, reply_id, Action.REJECT, comment)
