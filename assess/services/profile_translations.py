"""Translations of profile content (members, facts, resources, news), reviewed like any other
profile change: a `ProfileChange` whose operation is "translate", with the language it
translates into and the proposed texts as its payload.

Approval records each text with the original it translates (`assess/translated.py`): once the
original is edited, the translation is outdated and pages show the original until it is
updated. Like an edit, a translation whose item changed after it was proposed is refused."""

from flask import current_app
from flask_babel import gettext

from .. import translated
from ..models import ProfileChange
from .errors import NotFound, ValidationError

# The fields of each kind a translation covers: text meant to be read, not names of things
# cited as they are (a publisher), addresses or dates.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "member": ("name", "description"),
    "fact": ("text",),
    "resource": ("title",),
    "news": ("title", "body"),
}
CONFIRMED = "confirmed"  # payload key: unchanged translations the translator says still fit


def languages() -> list[str]:
    source = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [code for code in current_app.config["LANGUAGES"] if code != source]


def clean(kind: str, language: str | None, raw: dict, limits: dict[str, int]) -> dict:
    """The payload of a translation: the translated fields (empty ones left out) and the
    confirmed ones, or a `ValidationError`."""
    if language not in languages():
        raise NotFound(gettext("No such language."))
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for name in TRANSLATABLE[kind]:
        text = str(raw.get(name) or "").strip()
        if len(text) > limits[name]:
            errors[name] = [gettext("Use at most %(n)s characters.", n=limits[name])]
        elif text:
            data[name] = text
    if errors:
        raise ValidationError(gettext("Correct the fields marked below."), errors)
    if not data:
        raise ValidationError(
            gettext("Translate at least one field."),
            {TRANSLATABLE[kind][0]: [gettext("Translate at least one field.")]},
        )
    confirmed = [name for name in raw.get(CONFIRMED) or [] if name in data]
    return data | ({CONFIRMED: confirmed} if confirmed else {})


def texts_of(change: ProfileChange) -> dict[str, str]:
    return {name: change.payload.get(name, "") for name in TRANSLATABLE[change.kind]}


def apply(change: ProfileChange, item) -> None:
    """Put the approved translation on the item, each text recorded with its original."""
    assert change.language is not None
    texts = texts_of(change)
    originals = {name: (change.before or {}).get(name) or "" for name in TRANSLATABLE[change.kind]}
    confirmed = frozenset(change.payload.get(CONFIRMED) or [])
    sources = translated.sources_for(
        item.translations, change.language, texts, originals, confirmed
    )
    item.translations = translated.replaced(item.translations, change.language, texts, sources)


def item_standing(kind: str, item, language: str) -> translated.Standing:
    """Where an item's translation into `language` stands as a whole: out of date if any field
    is, translated if every field with text is, else not translated."""
    standings = {
        translated.standing(item.translations, language, name, getattr(item, name) or "")
        for name in TRANSLATABLE[kind]
        if getattr(item, name)
    }
    if translated.Standing.OUTDATED in standings:
        return translated.Standing.OUTDATED
    if standings == {translated.Standing.CURRENT}:
        return translated.Standing.CURRENT
    return translated.Standing.MISSING
