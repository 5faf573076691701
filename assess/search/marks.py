"""Highlighted matches: the engines mark matched words with two control characters, which no
stored text contains; they become <mark> only after the text around them is escaped."""

import re

from markupsafe import Markup, escape

MARK_START, MARK_END = "\x02", "\x03"


def marked(snippet: str) -> Markup:
    """An engine's snippet as HTML: escaped, with its match markers as <mark>."""
    text = str(escape(snippet.replace(MARK_START, "").replace(MARK_END, "")))
    if MARK_START in snippet:
        parts = [str(escape(part)) for part in re.split(f"([{MARK_START}{MARK_END}])", snippet)]
        tags = {MARK_START: "<mark>", MARK_END: "</mark>"}
        text = "".join(tags.get(part, part) for part in parts)
    return Markup(text)  # noqa: S704 - escaped just above


def highlight(text: str, words: list[str]) -> Markup:
    """`text` escaped, with every word starting with one of `words` marked."""
    if not words:
        return Markup(escape(text))  # noqa: S704
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    return marked(pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text))
