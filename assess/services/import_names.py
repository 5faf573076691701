"""Which country and which indicator an import row means, and what it more likely meant.

A spreadsheet cell may name a country by its ISO code (`KZ`, `KAZ`) or by its name
(`Kazakhstan`), an indicator by its slug or its title. A code that names nothing gets
suggestions; a code that names a country the rest of the row does not fit is refused as a likely
typo: `PN` (Pitcairn) in a row whose analysis speaks of Pakistan, or the only `KG` row of a file
whose other rows are `KZ`. Writing the country's name instead of its code confirms it.

Mentions are found by the country's English name (and its name in the analysis's language, from
pycountry's own translations), as a word start, so that "Kazakhstani" names Kazakhstan and
"Nigeria" does not name Niger."""

import difflib
import re
from collections import Counter

import pycountry

from ..i18n import country_name_in
from ..models import Country, Indicator

# Short names in common use that pycountry does not give (its `common_name` covers most).
ALIASES = {"RU": ("Russia",)}
MAX_SUGGESTIONS = 3


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _one_letter_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


class Names:
    """The countries and indicators of the database, looked up by whatever a cell holds."""

    def __init__(self, countries: list[Country], indicators: list[Indicator]) -> None:
        self.by_code = {c.iso2: c for c in countries}
        self.by_iso3 = {c.iso3: c for c in countries}
        self.indicators = {i.slug: i for i in indicators}
        self.indicator_titles = {_folded(i.title): i for i in indicators}
        names: dict[str, set[str]] = {}  # a name (folded) -> the codes it may mean
        self.spellings: dict[str, list[str]] = {}  # code -> its names, as written
        for country in countries:
            for name in self._names_of(country):
                names.setdefault(_folded(name), set()).add(country.iso2)
                self.spellings.setdefault(country.iso2, []).append(name)
        self._patterns: dict[str, tuple[re.Pattern, dict[str, str]]] = {}
        self._ambiguous = {name for name, codes in names.items() if len(codes) > 1}
        self.by_name = {
            name: self.by_code[next(iter(codes))]
            for name, codes in names.items()
            if len(codes) == 1
        }

    @staticmethod
    def _names_of(country: Country) -> list[str]:
        found = [country.name, *ALIASES.get(country.iso2, ())]
        record = pycountry.countries.get(alpha_2=country.iso2)
        for attribute in ("common_name", "official_name"):
            value = getattr(record, attribute, None) if record else None
            if value:
                found.append(value)
        if "," in country.name:
            found.append(country.name.split(",")[0])  # "Bolivia", "Virgin Islands"
        return list(dict.fromkeys(found))

    # --- what a cell names ---------------------------------------------------------------------

    def country(self, cell: str) -> tuple[Country | None, bool]:
        """The country a cell names, and whether it was named in words (which confirms it)."""
        text = cell.strip()
        if len(text) == 2:
            return self.by_code.get(text.upper()), False
        if len(text) == 3 and text.isalpha():
            return self.by_iso3.get(text.upper()), False
        found = self.by_name.get(_folded(text))
        return found, found is not None

    def indicator(self, cell: str) -> Indicator | None:
        text = cell.strip()
        return self.indicators.get(text.lower()) or self.indicator_titles.get(_folded(text))

    # --- what it more likely meant -------------------------------------------------------------

    def _pattern(self, language: str) -> tuple[re.Pattern, dict[str, str]]:
        """A pattern finding every country's names (and who each name belongs to), built once
        per language of analysis."""
        if language not in self._patterns:
            owner: dict[str, str] = {}
            for code, names in self.spellings.items():
                written = list(names)
                if language != "en":
                    written.append(country_name_in(names[0], language))
                for name in written:
                    if len(name) >= 4 and _folded(name) not in self._ambiguous:
                        owner.setdefault(_folded(name), code)
            # Longest first: "papua new guinea" before "guinea", "nigeria" before "niger".
            alternatives = sorted(owner, key=len, reverse=True)
            pattern = re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + ")")
            self._patterns[language] = (pattern, owner)
        return self._patterns[language]

    def mentioned(self, text: str, language: str = "en") -> list[Country]:
        """The countries a text names, in the order it first names them."""
        if not text:
            return []
        pattern, owner = self._pattern(language)
        codes = [owner[m.group(1)] for m in pattern.finditer(_folded(text))]
        return [self.by_code[code] for code in dict.fromkeys(codes)]

    def doubts(
        self, country: Country, analysis: str, language: str, codes_in_file: Counter
    ) -> list[Country]:
        """Countries this row more likely means than the one its code names (none: no doubt)."""
        mentioned = self.mentioned(analysis, language)
        if mentioned:
            return [] if country in mentioned else mentioned[:MAX_SUGGESTIONS]
        if codes_in_file[country.iso2] != 1:
            return []
        return [
            self.by_code[code]
            for code, count in codes_in_file.most_common()
            if count >= 2 and _one_letter_apart(code, country.iso2)
        ][:MAX_SUGGESTIONS]

    def country_suggestions(
        self, cell: str, analysis: str, language: str, codes_in_file: Counter
    ) -> list[Country]:
        """For a cell that names no country: the analysis's countries, the file's countries
        one letter away, then names that look alike."""
        found = list(self.mentioned(analysis, language))
        code = cell.strip().upper()
        found += [
            self.by_code[other]
            for other, _count in codes_in_file.most_common()
            if other in self.by_code and _one_letter_apart(other, code)
        ]
        close = difflib.get_close_matches(
            _folded(cell), self.by_name, n=MAX_SUGGESTIONS, cutoff=0.75
        )
        found += [self.by_name[name] for name in close]
        return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]

    def indicator_suggestions(self, cell: str) -> list[Indicator]:
        text = cell.strip().lower()
        slugs = difflib.get_close_matches(text, self.indicators, n=MAX_SUGGESTIONS, cutoff=0.6)
        titles = difflib.get_close_matches(
            _folded(cell), self.indicator_titles, n=MAX_SUGGESTIONS, cutoff=0.6
        )
        found = [self.indicators[s] for s in slugs] + [self.indicator_titles[t] for t in titles]
        return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]
