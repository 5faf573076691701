"""Languages: the visitor's choice (a cookie), then Accept-Language, then English.

The language is never part of a public URL: a citation stays the same in every language."""

import gettext
from functools import cache

import pycountry
from flask import Blueprint, current_app, has_request_context, redirect, request
from flask_babel import get_locale

from .auth.views import safe_next

bp = Blueprint("i18n", __name__)
COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ru": "Русский"}


def select_locale() -> str:
    if not has_request_context():  # the command line, mail sent by `assess send-mail`
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


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
    language = str(get_locale() or "en")
    if language == "en":
        return name
    return _country_catalogue(language).gettext(name)
