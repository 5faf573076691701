"""The publishing organisation's settings (/admin/organisation): its name, address, logo, colours
and the texts of its about, methodology and contact pages, overriding the configuration.

One save is one transaction: the row, its revision (which moves the public revision, so every
public page, title, citation and feed shows the change at once) and the audit event."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext

from ..database import write_transaction
from ..models import OrganisationSettings, User, utcnow
from ..organisation import SETTINGS_ID
from ..public.pages import COLOUR
from . import audit, uploads
from .errors import PermissionDenied, ValidationError
from .permissions import is_admin

TEXT_FIELDS = ("site_name", "name", "url", "colour_brand", "colour_brand_dark")
PAGE_FIELDS = ("about", "methodology", "contact")
FIELDS = TEXT_FIELDS + PAGE_FIELDS
MAX_LENGTHS = {"site_name": 120, "name": 200, "url": 500, "colour_brand": 7,
               "colour_brand_dark": 7, "about": 20000, "methodology": 20000, "contact": 20000}  # fmt: skip
# WCAG 2 AA for normal text: the site writes white on these colours (the header, buttons) and
# these colours on white (links).
AA_CONTRAST = 4.5


@dataclass(frozen=True)
class Logo:
    filename: str
    data: bytes


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(gettext("Only an administrator can change the organisation."))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of #rgb or #rrggbb."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(d * 2 for d in hex_digits)
    r, g, b = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _colour_problem(value: str) -> str | None:
    if not COLOUR.match(value):
        return gettext("Write a colour as # and six hexadecimal digits, e.g. #0b4f8a.")
    with_white = contrast(value, "#ffffff")
    if with_white < AA_CONTRAST:
        with_black = contrast(value, "#000000")
        return gettext(
            "White text on %(colour)s has a contrast of only %(ratio)s:1; WCAG AA asks for at "
            "least 4.5:1 (the site writes white text on this colour, and this colour on white). "
            "Choose a darker colour.",
            colour=value,
            ratio=f"{with_white:.1f}",
        ) + (
            " "
            + gettext(
                "(Black text would reach %(ratio)s:1, but the site's header and buttons use white.)",
                ratio=f"{with_black:.1f}",
            )
            if with_black >= AA_CONTRAST
            else ""
        )
    return None


def problems(values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in FIELDS:
        value = values.get(name, "")
        if len(value) > MAX_LENGTHS[name]:
            errors[name] = [gettext("At most %(n)s characters.", n=MAX_LENGTHS[name])]
    url = values.get("url", "")
    if url and "url" not in errors:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors["url"] = [gettext("Give a web address starting with https://.")]
    for name in ("colour_brand", "colour_brand_dark"):
        value = values.get(name, "")
        if value and name not in errors:
            problem = _colour_problem(value)
            if problem:
                errors[name] = [problem]
    return errors


def clean(values: dict[str, str | None]) -> dict[str, str]:
    cleaned = {name: (values.get(name) or "").strip() for name in FIELDS}
    for name in ("colour_brand", "colour_brand_dark"):
        cleaned[name] = cleaned[name].lower()
    return cleaned


def update(
    actor: User,
    values: dict[str, str | None],
    logo: Logo | None = None,
    remove_logo: bool = False,
) -> OrganisationSettings:
    """Save the settings: an empty field falls back to the configuration. Nothing changes when
    any field (or the logo) is refused."""
    _require_admin(actor)
    cleaned = clean(values)
    errors = problems(cleaned)
    stored = None
    if logo is not None and not errors:
        try:
            stored = uploads.store_image(logo.filename, logo.data)
        except ValidationError as error:
            errors.update(error.errors or {"logo": [str(error)]})
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    with write_transaction() as session:
        row = session.get(OrganisationSettings, SETTINGS_ID, with_for_update=True)
        if row is None:
            row = OrganisationSettings(id=SETTINGS_ID, revision=0)
            session.add(row)
        changed = [name for name in FIELDS if (getattr(row, name) or "") != cleaned[name]]
        for name in FIELDS:
            setattr(row, name, cleaned[name] or None)
        new_logo = stored.stored_name if stored else (None if remove_logo else row.logo_file)
        if new_logo != row.logo_file:
            changed.append("logo")
            row.logo_file = new_logo
        row.revision = (row.revision or 0) + 1
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
        session.flush()
        audit.record(
            actor,
            "update_organisation",
            row,
            details={"changed": changed, "revision": row.revision, "logo": row.logo_file},
        )
    return row
