"""The French, Spanish, Russian and Arabic catalogues are complete, current and compiled, and the
public pages, the login page and every staff page show no English interface text in those
languages."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "assess" / "translations"
LANGUAGES = ["fr", "es", "ru", "ar"]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
SKIPPED_DIRECTORIES = {".venv", ".git", "node_modules", "__pycache__", "build", "instance"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%%")


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def extracted_ids() -> set:
    """What `pybabel extract -F assess/babel.cfg` finds in the sources today."""
    with (ROOT / "assess" / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: Path(path).name not in SKIPPED_DIRECTORIES,
    )
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    untranslated = []
    assert not catalogue(language).fuzzy, "a fuzzy header stops pybabel compile"
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(message.id)
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append((message.id, string))
        problems.extend((message.id, error) for error in message.check(catalogue(language)))
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_exactly_the_messages_of_the_sources(language):
    in_sources = extracted_ids()
    in_catalogue = {message.id for message in catalogue(language) if message.id}
    assert in_sources - in_catalogue == set(), "run the extract/update cycle in assess/babel.cfg"
    assert in_catalogue - in_sources == set(), "obsolete messages: run the update cycle"


def frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = {frozen(m.id): frozen(m.string) for m in read_mo(mo) if m.id}
    source = {frozen(m.id): frozen(m.string) for m in catalogue(language) if m.id}
    assert compiled == source, "run pybabel compile -d assess/translations"


def test_the_catalogues_ship_with_the_package():
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["setuptools"]["package-data"]["assess"]
    assert "translations/*/LC_MESSAGES/*.mo" in shipped


# --- no English left on the pages -----------------------------------------------------------

PAGES = [
    "/",
    "/countries/",
    "/countries/kz",
    "/countries/kz/age-of-consent",
    "/countries/kz/age-of-consent/v/1",
    "/countries/kz/age-of-consent/suggest",
    "/indicators/",
    "/indicators/age-of-consent",
    "/data/",
    "/auth/login",
]
READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class VisibleText(HTMLParser):
    """The text a reader meets on a page in `language`: element text and the attributes read
    aloud, leaving out scripts, styles and whatever is marked as written in another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.stack: list[bool] = []  # per open element: is it (inside) hidden or foreign text?
        self.parts: list[str] = []

    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = values.get("lang")
        hidden = self.hidden() or tag in ("script", "style", "template")
        hidden = hidden or (lang is not None and tag != "html" and lang != self.language)
        if not hidden:
            self.parts.extend(values[name] or "" for name in READ_ATTRIBUTES if name in values)
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.hidden():
            self.parts.append(data)


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    # One line per text node: a phrase never straddles two elements.
    return "\n".join(" ".join(part.split()) for part in parser.parts if part.strip())


def english_phrases(language: str) -> set[str]:
    """The interface's English phrases of two words or more, cut at placeholders, leaving out
    those the translation keeps as they are (names such as OpenAPI)."""
    phrases = set()
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            for fragment in PLACEHOLDER.split(text):
                fragment = fragment.strip(" .,:;()“”\"'")
                if len(fragment.split()) >= 2 and not any(fragment in s for s in strings):
                    phrases.add(fragment)
    return phrases


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_and_login_show_no_english_interface_text(client, demo_data, language):
    client.set_cookie("lang", language)
    phrases = english_phrases(language)
    leftovers = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        direction = "rtl" if language == "ar" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in html
        text = visible_text(html, language)
        found = sorted(phrase for phrase in phrases if phrase in text)
        if found:
            leftovers[url] = found
    assert leftovers == {}


def test_a_page_in_russian_names_the_country_and_dates_in_russian(client, demo_data):
    client.set_cookie("lang", "ru")
    html = client.get("/countries/kz").get_data(as_text=True)
    assert "Казахстан" in html
    assert "Последнее обновление" in html
    months = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа")
    months += ("сентября", "октября", "ноября", "декабря")
    assert any(month in html for month in months)


def test_the_switcher_marks_the_current_language_and_links_the_others(client):
    client.set_cookie("lang", "es")
    html = client.get("/countries/").get_data(as_text=True)
    switcher = html.split('class="languages"')[1].split("</nav>")[0]
    assert '<span aria-current="true" lang="es">Español</span>' in switcher
    assert 'href="/fr/countries/"' in switcher and 'href="/ar/countries/"' in switcher
    assert 'href="/es/' not in switcher


def test_the_switcher_works_without_javascript(client):
    """A plain link to the page under the language's prefix, whose own links keep it."""
    page = client.get("/countries/kz").get_data(as_text=True)
    link = re.search(r'href="(/ru/[^"]+)" lang="ru"', page).group(1)
    assert link == "/ru/countries/kz"
    again = client.get(link).get_data(as_text=True)
    assert '<html lang="ru" dir="ltr">' in again and "Страны" in again
    assert 'href="/ru/countries/"' in again  # the next page stays in Russian


def test_the_prefix_wins_over_the_cookie_and_citations_stay_canonical(client, demo_data):
    client.set_cookie("lang", "fr")
    assert '<html lang="fr"' in client.get("/countries/kz").get_data(as_text=True)
    html = client.get("/ar/countries/kz/age-of-consent/v/1").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "http://localhost/countries/kz/age-of-consent/v/1" in html
    # The citation names the canonical address; the citation files stay within the Arabic copy.
    assert "localhost/ar/" not in html.split('class="cite"')[1]
