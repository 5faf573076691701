"""Languages: the URL's prefix (`/fr/...`, see `language_urls`), else `?lang=`, else the
visitor's choice (a cookie), then Accept-Language, then English.

The canonical address of a page has no prefix: a citation stays the same in every language. The
language links lead to the prefixed addresses, which a static copy can serve.

Catalogues live in `assess/translations/<lang>/LC_MESSAGES/messages.po`, with the compiled `.mo`
committed beside them. After changing an interface string, from the top of the repository:

    pybabel extract -F assess/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
        --omit-header -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d assess/translations --no-fuzzy-matching --ignore-obsolete
    (translate every empty msgstr)
    pybabel compile -d assess/translations

`tests/test_i18n_catalogues.py` fails until the catalogues match the sources and are complete.

The default framework (indicator titles, definitions, rubrics) and the region names are reference
data seeded in English; they are extracted into the catalogues too (see `extract_indicators`),
and shown translated for as long as the stored text is still the seeded one. Indicator texts and
profile content also carry reviewed translations (`assess/translated.py`), which come first; a
text with neither is shown as written, marked with its language.
"""

import csv
import gettext
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources

import pycountry
import pytz
from babel.lists import format_list
from flask import (
    Blueprint,
    Flask,
    current_app,
    has_app_context,
    has_request_context,
    redirect,
    request,
)
from flask_babel import format_datetime, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .auth.views import safe_next
from .language_urls import url_language
from .translated import Shown, Standing, shown

bp = Blueprint("i18n", __name__)


def register(app: Flask) -> None:
    app.register_blueprint(bp)


COOKIE = "lang"
TIME_ZONE_COOKIE = "tz"  # set by static/js/timezone.js on staff pages: the browser's zone
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})


def select_locale() -> str:
    if not has_request_context():  # the command line, mail sent by `assess send-mail`
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    prefixed = url_language()  # /fr/countries/kz: the address fixes the language
    if prefixed:
        return prefixed
    if current_app.config.get("FREEZE_LANGUAGE"):  # a static copy in one language
        return current_app.config["FREEZE_LANGUAGE"]
    languages = current_app.config["LANGUAGES"]
    # `?lang=fr` first: a link to a page in one language (hreflang alternates) needs no cookie.
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return negotiate(
        request.cookies.get(COOKIE),
        request.headers.get("Accept-Language"),
        tuple(current_app.config["LANGUAGES"]),
        current_app.config["BABEL_DEFAULT_LOCALE"],
    )


def negotiate(
    cookie: str | None, accept_language: str | None, languages: tuple[str, ...], default: str
) -> str:
    """The page's language: the visitor's choice (cookie), else the best match of their browser's
    languages, else the default. The one rule for the pages and for the stored responses' keys."""
    if cookie in languages:
        return cookie
    return _best_match(accept_language or "", languages) or default


@lru_cache(maxsize=4096)  # browsers send few distinct headers; each is parsed once
def _best_match(accept_language: str, languages: tuple[str, ...]) -> str | None:
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages)


def select_timezone() -> str:
    """Staff times in the signed-in user's zone: their setting, else the browser's (the cookie
    timezone.js sets), else UTC. Anonymous pages are shared by everyone: always UTC."""
    if has_request_context() and current_user.is_authenticated:
        for zone in (current_user.time_zone, request.cookies.get(TIME_ZONE_COOKIE, "")):
            if zone in pytz.all_timezones_set:
                return zone
    return "UTC"


def zoned_datetime(value, format: str = "medium") -> str:
    """A date and time in the reader's zone and language, with the zone said, e.g.
    "20 févr. 2026, 17:00 UTC+05:00"."""
    return f"{format_datetime(value, format)} {format_datetime(value, 'ZZZZ')}"


def current_zone() -> str:
    """The zone staff times are shown in, with its offset now: "Asia/Almaty, GMT+05:00"."""
    zone = get_timezone()
    name = getattr(zone, "zone", None) or "UTC"
    return f"{name.replace('_', ' ')}, {format_datetime(datetime.now(UTC), 'ZZZZ')}"


def literal_list(values: list[str]) -> Markup:
    """Values a file must hold as they are (English codes), listed in the page's language:
    "Yes, Partial ou No", each marked as English."""
    items = [Markup('<code lang="en" dir="ltr">%s</code>') % value for value in values]
    slots = format_list([f"{{{n}}}" for n in range(len(items))], style="or", locale=page_language())
    return escape(slots).format(*items)


def page_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def direction_of(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in RIGHT_TO_LEFT else "ltr"


def text_direction() -> str:
    """The `dir` of the page: right-to-left for Arabic, left-to-right otherwise."""
    return direction_of(page_language())


def content_language() -> str:
    """The language members, facts, resources, news, instruments and indicator texts an
    administrator wrote are in: the site's default language (they carry no language of their
    own yet)."""
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def lang_attributes(language: str | None = None) -> Markup:
    """` lang=".." dir=".."` for an element holding text written in `language` (by default the
    content language) on a page in another language, so that a screen reader switches voice
    (WCAG 3.1.2) and the text keeps its own direction; nothing when they are the same."""
    language = language or content_language()
    if language == page_language():
        return Markup("")
    return Markup(' lang="%s" dir="%s"') % (language, direction_of(language))


def reference_lang(text: str | None) -> Markup:
    """`lang_attributes` for an indicator or region text: none when it is shown translated."""
    if text in _reference_texts() or text in _approved_texts():
        return Markup("")
    return lang_attributes()


def _approved_texts() -> dict[str, str]:
    """The reviewed translations of the indicator texts in force, into the page's language."""
    from .queries.framework import approved_texts  # the read side imports this module's users

    if not has_app_context():
        return {}
    return approved_texts(page_language())


def indicator_shown(translations, field: str, source: str) -> Shown:
    """An indicator's text as this page shows it: its reviewed translation in `translations`,
    else the catalogue's for a seeded text, else the original."""
    found = shown(translations, field, source, page_language(), content_language())
    if not found.translated and source in _reference_texts() and _(source) != source:
        return Shown(_(source), page_language(), Standing.CURRENT)
    return found


def content_shown(item, field: str) -> Shown:
    """A field of profile content as this page shows it: its current translation into the
    page's language, else the original (see `translated`)."""
    return shown(
        getattr(item, "translations", None),
        field,
        getattr(item, field) or "",
        page_language(),
        content_language(),
    )


def shows_original_language() -> bool:
    """Whether content on this page appears in a language other than the page's."""
    return content_language() != page_language()


@bp.route("/language/<code>")
def choose(code: str):
    """Remember the visitor's language in a cookie and go back where they were."""
    response = redirect(safe_next(request.args.get("next"), default="/"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


@cache
def _country_catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(name: str) -> str:
    """A country's name in the page's language, from pycountry's own locale data."""
    return country_name_in(name, str(get_locale() or "en"))


def country_name_in(name: str, language: str) -> str:
    if language == "en":
        return name
    return _country_catalogue(language).gettext(name)


INDICATOR_FIELDS = ("title", "definition", "rubric_yes", "rubric_partial", "rubric_no")
Extracted = Iterator[tuple[int, str, str, list[str]]]


def extract_indicators(fileobj, keywords, comment_tags, options) -> Extracted:
    """A Babel extractor (named in babel.cfg): the texts of the default indicator framework."""
    for indicator in json.load(fileobj):
        for field in INDICATOR_FIELDS:
            if indicator.get(field):
                yield 1, "gettext", indicator[field], [f"{indicator['slug']}: {field}"]


def extract_regions(fileobj, keywords, comment_tags, options) -> Extracted:
    """A Babel extractor (named in babel.cfg): the region names of the country list."""
    lines = fileobj.read().decode("utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    for region in sorted({row["region"] for row in rows}):
        yield 1, "gettext", region, ["region"]


@cache
def _reference_texts() -> frozenset[str]:
    data = resources.files("assess.data")
    indicators = json.loads(data.joinpath("indicators.json").read_text(encoding="utf-8"))
    texts = {item[field] for item in indicators for field in INDICATOR_FIELDS if item.get(field)}
    rows = data.joinpath("regions.csv").read_text(encoding="utf-8").splitlines()
    texts |= {row["region"] for row in csv.DictReader(r for r in rows if not r.startswith("#"))}
    return frozenset(texts)


def reference_text(text: str | None) -> str | None:
    """An indicator's text or a region in the page's language: its reviewed translation, else
    the catalogue's for a seeded text (the default framework, the regions); any other text as
    it is."""
    if not text:
        return text
    approved = _approved_texts().get(text)
    if approved:
        return approved
    if text in _reference_texts():
        return _(text)
    return text
