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

from flask import Flask, current_app
from flask_babel import get_locale
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
