"""What a page tells search engines and other tools about itself: its canonical address and the
same page in the other interface languages (`?lang=fr`, or the `/fr/` copy of a frozen site)."""

from urllib.parse import urlencode

from flask import Blueprint, request

from ..language_urls import language_path
from .helpers import absolute_url

# Pages whose query string chooses what is shown (the rest ignore it, or only sort and filter).
QUERY_PAGES = {"public.compare", "public.search_page", "public.index"}
LANGUAGE_ARG = "lang"


def register(blueprint: Blueprint) -> None:
    blueprint.add_app_template_global(canonical_url)
    blueprint.add_app_template_global(language_url)


def _query() -> str:
    if request.endpoint not in QUERY_PAGES:
        return ""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LANGUAGE_ARG]
    return "?" + urlencode(args) if args else ""


def canonical_url() -> str:
    return absolute_url(request.path) + _query()


def language_url(code: str) -> str:
    """This page in language `code`: its path under `/<code>/` (`language_urls`), which the
    server answers and a frozen copy holds."""
    return language_path(code)
