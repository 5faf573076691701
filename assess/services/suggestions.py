"""Corrections readers suggest on a public assessment, and their moderation by the country's staff.

Anyone may suggest (no account): what is wrong, evidence links or a file, an optional e-mail.
Spam is held off without third parties: a honeypot field people leave empty, and rate limits per
client address and for the whole site (`throttle.take`), counted only for suggestions that would
be stored. A suggestion gets a reference number, lands in the queue of the country's staff (who
are told of it) and is never published: at most its moderator starts a draft from it, which goes
through review like any other."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import jobs
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Country,
    Indicator,
    OutboxEmail,
    Role,
    RoleGrant,
    Suggestion,
    SuggestionState,
    User,
    Version,
    utcnow,
)
from . import assessments, audit, notifications, throttle, uploads
from .errors import (
    Conflict,
    DraftExists,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from .permissions import can_read_staff, grant_covers_sql, is_editor

TEXT_MAX = 5000
LINKS_MAX = 10
LINK_MAX = 500
REASON_MAX = 2000
DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_PER_ADDRESS = 5  # within throttle.WINDOW (15 minutes)
DEFAULT_SITE_WIDE = 200
HONEYPOT = "website"  # the field people leave empty (see the form)


class TooManySuggestions(ServiceError):
    """The rate limit: the message says when to try again."""

    def __init__(self) -> None:
        minutes = int(throttle.WINDOW.total_seconds() // 60)
        super().__init__(
            gettext(
                "Too many suggestions were sent from here in a short time. Nothing was stored: "
                "please try again in %(minutes)s minutes.",
                minutes=minutes,
            )
        )


@dataclass(frozen=True)
class SuggestionInput:
    what_is_wrong: str = ""
    evidence_links: str = ""  # one address a line
    email: str = ""
    file_name: str = ""  # as the reader's computer named it; empty for no file
    file_data: bytes = b""
    honeypot: str = ""


@dataclass(frozen=True)
class Cleaned:
    what_is_wrong: str
    links: list[str]
    email: str


def file_max_bytes() -> int:
    return int(current_app.config.get("SUGGESTION_FILE_MAX_BYTES") or DEFAULT_FILE_MAX_BYTES)


def _is_link(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def clean(data: SuggestionInput) -> Cleaned:
    """The suggestion's fields checked, or a `ValidationError` naming each wrong field."""
    errors: dict[str, list[str]] = {}
    text = data.what_is_wrong.strip()
    if not text:
        errors["what_is_wrong"] = [gettext("Say what is wrong: this field is required.")]
    elif len(text) > TEXT_MAX:
        errors["what_is_wrong"] = [gettext("Use at most %(n)s characters.", n=TEXT_MAX)]
    links = [line.strip() for line in re.split(r"[\r\n]+", data.evidence_links) if line.strip()]
    wrong = [link for link in links if len(link) > LINK_MAX or not _is_link(link)]
    if wrong:
        errors["evidence_links"] = [
            gettext(
                "Enter each web address on its own line, starting with https:// "
                "(not one: %(link)s).",
                link=wrong[0][:80],
            )
        ]
    elif len(links) > LINKS_MAX:
        errors["evidence_links"] = [gettext("Give at most %(n)s links.", n=LINKS_MAX)]
    email = data.email.strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = [gettext("Enter an e-mail address such as name@example.org.")]
    if data.file_name and len(data.file_data) > file_max_bytes():
        limit = file_max_bytes() // (1024 * 1024)
        errors["file"] = [gettext("Upload at most %(mb)s MB.", mb=limit)]
    elif data.file_name:
        try:
            uploads.check(data.file_name, data.file_data)
        except ValidationError as error:
            errors["file"] = error.errors.get("file", [str(error)])
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    return Cleaned(text, links, email)


def _limits(address: str) -> list[tuple[str, int]]:
    config = current_app.config
    return [
        (f"suggestion:address:{address}", int(config.get("SUGGESTION_LIMIT_PER_ADDRESS") or 0)),
        ("suggestion:site", int(config.get("SUGGESTION_LIMIT_SITE_WIDE") or 0)),
    ]


def reference_of(suggestion: Suggestion) -> str:
    return f"C-{suggestion.created_at.year}-{suggestion.id:06d}"


def suggest(
    country_id: int,
    indicator_id: int,
    data: SuggestionInput,
    *,
    address: str,
    language: str,
    version_number: int | None = None,
) -> Suggestion:
    """Store a reader's suggestion, tell the country's staff, and confirm to the reader by mail
    when they gave an address; or refuse it with nothing stored."""
    if data.honeypot.strip():
        raise ValidationError(
            gettext("This suggestion could not be sent."),
            {HONEYPOT: [gettext("Leave this field empty.")]},
        )
    cleaned = clean(data)
    if not throttle.current().take(_limits(address or "unknown")):
        raise TooManySuggestions()
    stored = uploads.store(data.file_name, data.file_data) if data.file_name else None
    with write_transaction() as session:
        country = session.get(Country, country_id)
        indicator = session.get(Indicator, indicator_id)
        if country is None or indicator is None:
            raise NotFound(gettext("No such assessment."))
        suggestion = Suggestion(
            country_id=country_id,
            indicator_id=indicator_id,
            version_number=version_number,
            what_is_wrong=cleaned.what_is_wrong,
            evidence_links=cleaned.links,
            file_name=stored.stored_name if stored else "",
            file_original_name=stored.original_name if stored else "",
            email=cleaned.email,
            language=language,
        )
        session.add(suggestion)
        session.flush()
        suggestion.reference = reference_of(suggestion)
        audit.record(
            None,
            "suggest_correction",
            suggestion,
            country_id=country_id,
            to_state=SuggestionState.NEW.value,
            details={"reference": suggestion.reference, "indicator": indicator.slug},
        )
        _tell_staff(session, suggestion, country, indicator)
        if cleaned.email:
            _confirm(session, suggestion, country, indicator)
    return suggestion


def staff_path(suggestion_id: int) -> str:
    return f"/staff/suggestions/{suggestion_id}"


def _staff(session: Session, country_id: int) -> list[User]:
    """The country's reviewers and supervisors, active ones, who hear of a new suggestion."""
    editors = select(RoleGrant.user_id).where(
        RoleGrant.role.in_([Role.REVIEWER.value, Role.SUPERVISOR.value]),
        grant_covers_sql(country_id),
    )
    return list(
        session.scalars(
            select(User).where(User.id.in_(editors), User.active.is_(True)).order_by(User.id)
        )
    )


def _tell_staff(
    session: Session, suggestion: Suggestion, country: Country, indicator: Indicator
) -> None:
    people = _staff(session, country.id)
    if people:
        params = {
            "actor": "",
            "country": country.name,
            "indicator": indicator.title,
            "label": suggestion.reference,
        }
        link = staff_path(suggestion.id)
        notifications.deliver(session, people, "suggestion_received", params, link)


def _confirm(
    session: Session, suggestion: Suggestion, country: Country, indicator: Indicator
) -> None:
    """The reader's receipt, in the language they wrote in."""
    from ..i18n import country_name, reference_text

    languages = current_app.config["LANGUAGES"]
    language = suggestion.language if suggestion.language in languages else languages[0]
    path = f"/countries/{country.iso2.lower()}/{indicator.slug}"
    with force_locale(language):
        names = {
            "reference": suggestion.reference,
            "indicator": reference_text(indicator.title),
            "country": country_name(country.name),
        }
        subject = gettext("Your suggestion %(reference)s", **names)
        body = "\n".join(
            [
                gettext(
                    "Thank you for your suggestion on %(indicator)s in %(country)s. "
                    "Its reference number is %(reference)s.",
                    **names,
                ),
                "",
                gettext(
                    "The team responsible for the country will read it. Nothing you sent is "
                    "published; if it leads to a change, the change is reviewed before it "
                    "appears on the assessment's page:"
                ),
                notifications.absolute_url(path),
            ]
        )
    mail = OutboxEmail(recipient=suggestion.email, subject=subject, body=body)
    session.add(mail)
    jobs.after_commit(session, "send_mail", mail)


# --- moderation ---------------------------------------------------------------------------


def get(user: User, suggestion_id: int) -> Suggestion:
    """A suggestion the user may moderate; others' countries' do not exist for them."""
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None or not can_read_staff(user, suggestion.country_id):
        raise NotFound(gettext("No such suggestion."))
    return suggestion


def _locked(session: Session, user: User, suggestion_id: int) -> Suggestion:
    suggestion = session.scalar(
        select(Suggestion)
        .where(Suggestion.id == suggestion_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if suggestion is None or not can_read_staff(user, suggestion.country_id):
        raise NotFound(gettext("No such suggestion."))
    return suggestion


def _move(
    session: Session,
    user: User,
    suggestion: Suggestion,
    state: SuggestionState,
    action: str,
    comment: str | None = None,
    details: dict | None = None,
) -> None:
    before = suggestion.state
    suggestion.state = state.value
    suggestion.handled_by_id = user.id
    suggestion.updated_at = utcnow()
    audit.record(
        user,
        action,
        suggestion,
        country_id=suggestion.country_id,
        from_state=before,
        to_state=state.value,
        comment=comment,
        details={"reference": suggestion.reference, **(details or {})},
    )


def start_draft(user: User, suggestion_id: int) -> Version:
    """The assessment's open version (a new draft, or the one already open), with the
    suggestion linked to it and in progress."""
    suggestion = get(user, suggestion_id)
    if not is_editor(user, suggestion.country_id):
        raise PermissionDenied(gettext("You are not a reviewer for this country."))
    try:
        version = assessments.start_draft(user, suggestion.country_id, suggestion.indicator_id)
        version_id = version.id
    except DraftExists as error:
        version_id = error.version_id
    with write_transaction() as session:
        suggestion = _locked(session, user, suggestion_id)
        suggestion.version_id = version_id
        if suggestion.state != SuggestionState.IN_PROGRESS.value:
            _move(
                session,
                user,
                suggestion,
                SuggestionState.IN_PROGRESS,
                "draft_from_suggestion",
                details={"version": version_id},
            )
    found = db.session.get(Version, version_id)
    assert found is not None
    return found


def dismiss(user: User, suggestion_id: int, reason: str) -> Suggestion:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            gettext("Say why the suggestion is dismissed."),
            {"reason": [gettext("Write a reason: it is required here.")]},
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            gettext("Correct the fields marked below."),
            {"reason": [gettext("Use at most %(n)s characters.", n=REASON_MAX)]},
        )
    with write_transaction() as session:
        suggestion = _locked(session, user, suggestion_id)
        if suggestion.state == SuggestionState.DISMISSED.value:
            raise Conflict(gettext("This suggestion was already dismissed."))
        suggestion.dismiss_reason = reason
        _move(session, user, suggestion, SuggestionState.DISMISSED, "dismiss_suggestion", reason)
    return suggestion


def mark_done(user: User, suggestion_id: int) -> Suggestion:
    with write_transaction() as session:
        suggestion = _locked(session, user, suggestion_id)
        if suggestion.state == SuggestionState.DONE.value:
            raise Conflict(gettext("This suggestion is already done."))
        _move(session, user, suggestion, SuggestionState.DONE, "complete_suggestion")
    return suggestion


def for_version(version_id: int) -> list[Suggestion]:
    """The suggestions a draft was started from, for its editor."""
    return list(
        db.session.scalars(
            select(Suggestion).where(Suggestion.version_id == version_id).order_by(Suggestion.id)
        )
    )
