"""Countries and indicators found by name, in every interface language, or by code.

They are few (249 countries, a dozen indicators), and their translations live in catalogues,
not in the database, so they are matched here rather than by the full-text engine."""

import unicodedata
from dataclasses import dataclass

from flask import current_app

from ..i18n import country_name_in, reference_text
from ..models import Country, Indicator


def fold(value: str) -> str:
    """Case and accents ignored: "côte" finds "Côte d'Ivoire", "cote" too."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class CountryMatch:
    country: Country
    matched: str  # the name (in whichever language) or code that matched
    rank: int  # 0 a code or whole name, 1 a name's start, 2 a word's start, 3 inside a name


def _names(country: Country) -> list[str]:
    languages = current_app.config["LANGUAGES"]
    return list(
        dict.fromkeys([country.name] + [country_name_in(country.name, code) for code in languages])
    )


def _rank(needle: str, name: str) -> int | None:
    folded = fold(name)
    if folded == needle:
        return 0
    if folded.startswith(needle):
        return 1
    if any(word.startswith(needle) for word in folded.replace("-", " ").split()):
        return 2
    if len(needle) >= 3 and needle in folded:
        return 3
    return None


def countries(query: str, candidates: list[Country]) -> list[CountryMatch]:
    """Countries whose code is the query or one of whose names contains it, best first."""
    needle = fold(query.strip())
    if not needle:
        return []
    found = []
    for country in candidates:
        if needle in (country.iso2.casefold(), country.iso3.casefold()):
            found.append(CountryMatch(country, country.iso2, 0))
            continue
        ranked = [(r, name) for name in _names(country) if (r := _rank(needle, name)) is not None]
        if ranked:
            rank, name = min(ranked)
            found.append(CountryMatch(country, name, rank))
    return sorted(found, key=lambda m: (m.rank, fold(m.country.name)))


def indicators(words: list[str], candidates: list[Indicator]) -> list[Indicator]:
    """Indicators whose title or definition, as shown or as stored, has every word."""
    found = []
    for indicator in candidates:
        texts = [indicator.title, indicator.definition]
        texts += [reference_text(indicator.title) or "", reference_text(indicator.definition) or ""]
        haystack = fold(" ".join(texts))
        if words and all(fold(word) in haystack for word in words):
            in_title = all(fold(w) in fold(reference_text(indicator.title) or "") for w in words)
            found.append((0 if in_title else 1, indicator.position, indicator))
    return [indicator for _rank, _position, indicator in sorted(found, key=lambda t: t[:2])]
