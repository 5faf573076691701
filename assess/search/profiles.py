"""Profile content (members, facts, resources, news) found by its words as the page shows it:
the current translation into the page's language, else the original (which also matches a search
in its own words).

Profile content is short and changes only with the public revision, so each language's texts are
loaded once per public revision (`public.fragments`) and matched in Python, like the names of
countries and indicators (`names.py`), rather than by the full-text engine."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g
from sqlalchemy import select

from ..extensions import db
from ..i18n import content_language
from ..models import Country, Fact, Member, NewsItem, Resource
from ..translated import Shown, shown
from .names import fold

# kind -> (model, the fields shown and searched, the profile's section it is listed in)
KINDS: dict[str, tuple[type, tuple[str, ...], str]] = {
    "member": (Member, ("name", "description"), "members"),
    "fact": (Fact, ("text",), "facts"),
    "resource": (Resource, ("title",), "resources"),
    "news": (NewsItem, ("title", "body"), "news"),
}
MAX_SHOWN = 20


@dataclass(frozen=True)
class ProfileText:
    iso2: str  # plain values, not rows: kept across requests and sessions
    country_name: str
    kind: str
    section: str
    fields: tuple[Shown, ...]  # as the page shows them
    haystack: str  # what is shown and the originals, folded


@dataclass(frozen=True)
class ProfileMatch:
    iso2: str
    country_name: str
    kind: str
    section: str
    text: Shown  # the field holding the most of the words


def _load(language: str) -> list[ProfileText]:
    source = content_language()
    found: list[ProfileText] = []
    for kind, (model, fields, section) in KINDS.items():
        rows: Any = db.session.execute(
            select(model, Country.iso2, Country.name)
            .join(Country, Country.id == model.country_id)  # type: ignore[attr-defined]  # every profile model has one
            .order_by(Country.name, model.id)  # type: ignore[attr-defined]
        )
        for item, iso2, country_name in rows:
            texts = [(name, getattr(item, name) or "") for name in fields]
            seen = tuple(shown(item.translations, n, t, language, source) for n, t in texts)
            haystack = fold(" ".join([*(s.text for s in seen), *(t for _, t in texts)]))
            found.append(ProfileText(iso2, country_name, kind, section, seen, haystack))
    return found


def _texts(language: str) -> list[ProfileText]:
    revision = g.get("public_revision_key")  # set by `public.caching.validators`
    store = current_app.extensions.get("assess_fragments")
    make: Callable[[], list[ProfileText]] = lambda: _load(language)  # noqa: E731
    if revision is not None and store is not None:
        return store.get_or_make(
            ("profile-search", revision, language),
            make,
            size=lambda texts: 64 + sum(len(t.haystack) * 2 for t in texts),
        )
    return make()


def matches(words: list[str], language: str) -> tuple[list[ProfileMatch], int]:
    """The profile content holding every word, shown in `language`: the first `MAX_SHOWN` and
    how many in all."""
    needles = [fold(word) for word in words]
    if not needles:
        return [], 0
    found = []
    for text in _texts(language):
        if not all(needle in text.haystack for needle in needles):
            continue
        # The field holding the most of the words (the first of those that tie).
        best = max(text.fields, key=lambda f: sum(n in fold(f.text) for n in needles))
        found.append(ProfileMatch(text.iso2, text.country_name, text.kind, text.section, best))
    return found[:MAX_SHOWN], len(found)
