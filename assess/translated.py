"""Translations of content written by the team (indicator texts, profile content), as data.

Each translated item keeps `{language: {field: {"text": ..., "source": ...}}}`, where `source` is
the original text the translation was made from. A translation is *current* while its source is
still the item's text; once the original changes it is *outdated*, and pages show the original
again (marked with its language) until a translator updates it. Nothing has to be marked when a
source changes: comparing the two says it. Pure, like `workflow`: no Flask, no SQLAlchemy."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

Translations = Mapping[str, Mapping[str, Mapping[str, str]]]


class Standing(StrEnum):
    CURRENT = "current"
    OUTDATED = "outdated"
    MISSING = "missing"


def entry(translations: Translations | None, language: str, field: str) -> Mapping[str, str]:
    found = ((translations or {}).get(language) or {}).get(field)
    return found if isinstance(found, Mapping) and found.get("text") else {}


def standing(translations: Translations | None, language: str, field: str, source: str) -> Standing:
    found = entry(translations, language, field)
    if not found:
        return Standing.MISSING
    return Standing.CURRENT if found.get("source") == source else Standing.OUTDATED


def current(
    translations: Translations | None, language: str, field: str, source: str
) -> str | None:
    """The translation of `source` into `language`, if there is a current one."""
    found = entry(translations, language, field)
    return found["text"] if found and found.get("source") == source else None


def replaced(
    translations: Translations | None,
    language: str,
    texts: Mapping[str, str],
    sources: Mapping[str, str],
) -> dict:
    """`translations` with `language`'s texts set to `texts`, each recorded as translating
    `sources[field]`; a field left empty has no translation. The others are kept as they were."""
    result: dict[str, dict] = {lang: dict(kept) for lang, kept in (translations or {}).items()}
    fields = {
        name: {"text": text.strip(), "source": sources.get(name, "")}
        for name, text in texts.items()
        if text and text.strip()
    }
    if fields:
        result[language] = fields
    else:
        result.pop(language, None)
    return result


def sources_for(
    translations: Translations | None,
    language: str,
    texts: Mapping[str, str],
    originals: Mapping[str, str],
    confirmed: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The original each of `texts` translates: the present one, except for a translation left
    as it was, which keeps the original it was made from (an outdated one stays outdated) unless
    the translator confirms it still fits the present original."""
    sources = {}
    for name, original in originals.items():
        before = entry(translations, language, name)
        kept = before and before.get("text") == (texts.get(name) or "").strip()
        sources[name] = before.get("source", "") if kept and name not in confirmed else original
    return sources


@dataclass(frozen=True)
class Shown:
    """A text as a page shows it: the translation, or the original in its own language."""

    text: str
    language: str
    standing: Standing  # of the translation into the page's language

    @property
    def translated(self) -> bool:
        return self.standing == Standing.CURRENT


def shown(
    translations: Translations | None,
    field: str,
    source: str,
    page_language: str,
    source_language: str,
) -> Shown:
    if page_language == source_language or not source:
        return Shown(source or "", source_language, Standing.CURRENT)
    state = standing(translations, page_language, field, source)
    if state == Standing.CURRENT:
        return Shown(entry(translations, page_language, field)["text"], page_language, state)
    return Shown(source, source_language, state)


def by_source(translations: Translations | None, language: str, sources: Mapping[str, str]) -> dict:
    """{original text: its current translation into `language`}, for `sources` {field: text}."""
    found = {}
    for name, source in sources.items():
        text = current(translations, language, name, source)
        if source and text:
            found[source] = text
    return found
