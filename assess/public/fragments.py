"""Rendered pieces of public pages (and the data some are made of), kept per process and keyed by
what they show.

A page that misses the stored responses (`fastpath`: a new query string, or anything committed
since) still renders whole, but the parts that cost most are made once: an indicator's section of
a country profile is keyed by the immutable version it shows (a published version never changes;
a retraction or a newer version changes which version is shown), the indicator's title, the
language and the date shown; a country's profile content (members, facts, resources, news) is
keyed by the public revision (`queries.public_revision`), which changes with every change to it.
A key that includes everything the piece shows cannot serve a stale piece, whichever worker
published what.

One store per app (tests make many apps over databases whose ids overlap), bounded in characters.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

CAPACITY_CHARS = 32 * 1024 * 1024


class Fragments:
    def __init__(self, capacity: int = CAPACITY_CHARS) -> None:
        self.capacity = capacity
        self.used = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, size: int | None = None) -> Any:
        """Keep `value` (its `len()` counted, or `size` for what has none)."""
        size = len(value) if size is None else size
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.used -= replaced[1]
            self._entries[key] = (value, size)
            self.used += size
            while self.used > self.capacity:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.used -= evicted
        return value

    def get_or_make(
        self, key: Hashable, make: Callable[[], Any], size: Callable[[Any], int]
    ) -> Any:
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found, size(found))
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used = 0


def install(app: Flask) -> None:
    app.extensions["assess_fragments"] = Fragments()
    app.add_template_global(kept_part)


def fragments() -> Fragments:
    return current_app.extensions["assess_fragments"]


def world_map(entries: list, caption: str, label: str, *identity: Hashable) -> Markup:
    """The world map (`public/_macros.html`), rendered once per public revision and language:
    its shapes, statuses and names change only with the revision. `identity` names which map
    (e.g. the indicator); the statuses are the revision's."""
    from .caching import revision_key

    def render() -> Markup:
        macros = current_app.jinja_env.get_template("public/_macros.html").module
        return Markup(macros.world_map(entries, caption, label))  # type: ignore[attr-defined]  # noqa: S704 - autoescaped macro

    revision = revision_key()
    if revision is None:
        return render()
    key = ("world-map", str(get_locale()), revision, caption, label, *identity)
    return fragments().get_or_make(key, render, size=len)


def kept_part(name: str) -> Markup:
    """A part of every page (the header, the footer's links) that, for anonymous visitors,
    depends only on the language, the site's address and what it shows of the publishing
    organisation: rendered once per all three. Signed-in
    staff (their own menu, a CSRF token) and `assess freeze` render it each time."""

    def render() -> Markup:
        return Markup(render_template(name))  # noqa: S704 - autoescaped template

    from .. import organisation

    if current_user.is_authenticated or current_app.config.get("FREEZING"):
        return render()
    # The header shows the organisation's names and logo, the footer which of its pages exist.
    site = organisation.current()
    shown = (site.site_name, site.name, site.logo, tuple(sorted(site.pages)))
    key = ("part", name, str(get_locale()), request.url_root, shown)
    return fragments().get_or_make(key, render, size=len)


def kept(key: tuple, make: Callable[[], Any], size: Callable[[Any], int] = len) -> Any:
    """`make()` (a page's body, most often), made once per public revision, language, address
    and day for anonymous visitors, whose pages show only what is public: a visit whose query
    string no stored response has seen (`?utm_source=…`, a new `fbclid` on every shared link)
    renders only the page around it. `key` names the page and everything else it depends on
    (its meaningful arguments). Signed-in staff, and `assess freeze`, get `make()` every time."""
    from . import helpers
    from .caching import revision_key

    revision = revision_key()
    if revision is None or current_app.config.get("FREEZING"):
        return make()
    day = helpers.today().date()  # a citation's access date
    full = (*key, revision, str(get_locale()), request.url_root, day)
    return fragments().get_or_make(full, make, size=size)
