"""Profile content (members, facts, resources, news) through the same four-eyes workflow.

Each `ProfileChange` proposes one add, edit or removal of one item of a country's profile. It moves
through `workflow.TRANSITIONS` like an assessment version: drafted and submitted by a reviewer,
supervisor or admin, decided by a supervisor of the country who did not contribute to it. Approval
applies the change to the profile rows and audits it in the same transaction; an edit or removal
whose item changed after it was proposed is refused as stale."""

from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import Country, Fact, Member, NewsItem, ProfileChange, Resource, User
from ..workflow import Action
from . import audit, engine, profile_translations, uploads
from .errors import Conflict, ItemNotFound, NotFound, PermissionDenied, ValidationError
from .permissions import eligible_supervisors, may_read, translates_only

MODELS: dict[str, Any] = {"member": Member, "fact": Fact, "resource": Resource, "news": NewsItem}
OPERATIONS = ("add", "edit", "remove", "translate")
# kind -> field -> (type, required, max length)
FIELDS: dict[str, dict[str, tuple[str, bool, int]]] = {
    "member": {
        "name": ("text", True, 200),
        "description": ("text", False, 5000),
        "url": ("url", False, 500),
        "email": ("email", False, 254),
        "phone": ("text", False, 50),
        "address": ("text", False, 500),
    },
    "fact": {"text": ("text", True, 5000)},
    "resource": {
        "publisher": ("text", False, 200),
        "title": ("text", True, 300),
        "year": ("year", False, 0),
        "url": ("url", False, 500),
        "file_name": ("file", False, 300),
    },
    "news": {
        "title": ("text", True, 300),
        "body": ("text", False, 20000),
        "url": ("url", False, 500),
        "published_on": ("date", True, 0),
    },
}  # fmt: skip


def _is_email(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def clean(kind: str, raw: dict) -> dict:
    """The payload with every field checked and normalised, or a `ValidationError`."""
    if kind not in FIELDS:
        raise ValidationError(gettext("Unknown kind of profile content."))
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for name, (kind_of, required, limit) in FIELDS[kind].items():
        value = raw.get(name)
        text = "" if value is None else str(value).strip()
        if required and not text:
            errors[name] = [gettext("This field is required.")]
        elif kind_of in ("text", "url", "file", "email") and len(text) > limit:
            errors[name] = [gettext("Use at most %(n)s characters.", n=limit)]
        elif kind_of == "email" and text and not _is_email(text):
            errors[name] = [gettext("Enter an e-mail address such as name@example.org.")]
        elif kind_of == "url" and text and not text.startswith(("https://", "http://")):
            errors[name] = [gettext("Enter a web address starting with https://.")]
        elif kind_of == "file" and text and not uploads.exists(text):
            errors[name] = [gettext("The uploaded file is missing; upload it again.")]
        elif kind_of == "year" and text:
            if not (text.isdigit() and 1000 <= int(text) <= 2999):
                errors[name] = [gettext("Enter a four-digit year.")]
            else:
                data[name] = int(text)
            continue
        elif kind_of == "date" and text:
            try:
                data[name] = date.fromisoformat(text).isoformat()
            except ValueError:
                errors[name] = [gettext("Enter a date as YYYY-MM-DD.")]
            continue
        data[name] = text if kind_of != "year" else None
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    return data


def snapshot(kind: str, item) -> dict:
    data = {}
    for name in FIELDS[kind]:
        value = getattr(item, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def actions_for(user: User, change: ProfileChange) -> set[Action]:
    return engine.actions_for(user, change)


def _locked(session: Session, change_id: int, user: User) -> ProfileChange:
    change = engine.locked(session, ProfileChange, change_id, user)
    assert isinstance(change, ProfileChange)
    return change


def _clean(kind: str, operation: str, payload: dict, language: str | None) -> dict:
    if operation == "translate":
        limits = {name: limit for name, (_, _, limit) in FIELDS[kind].items()}
        return profile_translations.clean(kind, language, payload, limits)
    return clean(kind, payload) if operation != "remove" else {}


def propose(
    user: User,
    country_id: int,
    kind: str,
    operation: str,
    payload: dict | None = None,
    target_id: int | None = None,
    submit: bool = False,
    language: str | None = None,
) -> ProfileChange:
    """A draft change (submitted for review at once when `submit`); a translation names the
    `language` it translates into."""
    if kind not in MODELS or operation not in OPERATIONS:
        raise NotFound(gettext("No such kind of change."))
    data = _clean(kind, operation, payload or {}, language)
    with write_transaction() as session:
        country = session.get(Country, country_id)
        if country is None or not may_read(user, ProfileChange, country_id):
            raise NotFound(gettext("No such country."))
        if operation != "translate" and translates_only(user, country_id):
            raise PermissionDenied(gettext("A translator proposes translations only."))
        before = None
        if operation != "add":
            item = session.get(MODELS[kind], target_id) if target_id else None
            if item is None or item.country_id != country_id:
                raise NotFound(gettext("No such item."))
            before = snapshot(kind, item)
            if operation == "remove":
                data = before
        change = ProfileChange(
            country_id=country_id,
            kind=kind,
            operation=operation,
            target_id=target_id if operation != "add" else None,
            payload=data,
            before=before,
            created_by_id=user.id,
            language=language if operation == "translate" else None,
        )
        engine.start(session, user, change)
        if submit:
            engine.submit(session, user, change)
    return change


def update(user: User, change_id: int, payload: dict, submit: bool = False) -> ProfileChange:
    """Replace the proposed fields (and submit the change for review in the same transaction
    when `submit`)."""
    with write_transaction() as session:
        change = _locked(session, change_id, user)
        if change.operation == "remove":
            raise Conflict(gettext("A removal has nothing to edit."))
        data = _clean(change.kind, change.operation, payload, change.language)
        engine.apply(session, user, change, Action.SAVE)
        change.payload = data
        change.add_contributor(user.id)
        if submit:
            engine.submit(session, user, change)
    return change


def submit(user: User, change_id: int) -> ProfileChange:
    with write_transaction() as session:
        change = _locked(session, change_id, user)
        engine.submit(session, user, change)
    return change


def withdraw(user: User, change_id: int) -> ProfileChange:
    with write_transaction() as session:
        change = _locked(session, change_id, user)
        engine.apply(session, user, change, Action.WITHDRAW)
    return change


def discard(user: User, change_id: int) -> ProfileChange:
    with write_transaction() as session:
        change = _locked(session, change_id, user)
        engine.apply(session, user, change, Action.DISCARD)
    return change


def _decide(user: User, change_id: int, action: Action, comment: str | None) -> ProfileChange:
    with write_transaction() as session:
        change = _locked(session, change_id, user)
        engine.decide(session, user, change, action, comment)
        if action == Action.APPROVE:
            _apply_to_profile(session, user, change)
    return change


def check(user: User, change_id: int, action: Action, comment: str | None = None) -> None:
    """Whether the user may take `action` on the change now, changing nothing (the refusal
    `action` would raise): a confirmation step asks only when the action would be taken."""
    engine.check(user, get(user, change_id), action, comment)


def approve(user: User, change_id: int, comment: str | None = None) -> ProfileChange:
    return _decide(user, change_id, Action.APPROVE, comment)


def request_changes(user: User, change_id: int, comment: str) -> ProfileChange:
    return _decide(user, change_id, Action.REQUEST_CHANGES, comment)


def reject(user: User, change_id: int, comment: str) -> ProfileChange:
    return _decide(user, change_id, Action.REJECT, comment)


def _apply_to_profile(session: Session, user: User, change: ProfileChange) -> None:
    model = MODELS[change.kind]
    if change.operation == "add":
        item = model(country_id=change.country_id)
        if hasattr(model, "position"):
            last = session.scalar(
                select(func.max(model.position)).where(model.country_id == change.country_id)
            )
            item.position = (last if last is not None else -1) + 1
        session.add(item)
    else:
        item = session.get(model, change.target_id)
        if item is None or snapshot(change.kind, item) != change.before:
            raise Conflict(
                gettext(
                    "This item was changed or removed after the change was proposed; "
                    "reject this change and propose it again."
                )
            )
    if change.operation == "remove":
        session.delete(item)
    elif change.operation == "translate":
        profile_translations.apply(change, item)
    else:
        for name, value in change.payload.items():
            setattr(item, name, date.fromisoformat(value) if name == "published_on" else value)
    session.flush()
    audit.record(
        user,
        f"{change.operation}_{change.kind}",
        item,
        country_id=change.country_id,
        details={"profile_change": change.id, "payload": change.payload},
    )
    if change.operation == "add":
        change.target_id = item.id


def get(user: User, change_id: int) -> ProfileChange:
    change = db.session.get(ProfileChange, change_id)
    if change is None:
        raise ItemNotFound(ProfileChange.review_kind)
    engine.check_visible(user, change)
    return change


def has_eligible_supervisor(change: ProfileChange) -> bool:
    """Whether anyone may decide this change: a supervisor of its country who did not contribute."""
    return bool(eligible_supervisors(change))


def add_submitted(
    session: Session, user: User, country_id: int, kind: str, data: dict, batch_id: int
) -> ProfileChange:
    """An item added and submitted for review within the caller's transaction, as part of a
    bulk import (`data` already `clean`)."""
    change = ProfileChange(
        country_id=country_id,
        kind=kind,
        operation="add",
        payload=data,
        created_by_id=user.id,
        import_batch_id=batch_id,
    )
    engine.start(session, user, change)
    engine.submit(session, user, change)
    return change
