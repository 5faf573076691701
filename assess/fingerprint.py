"""Content fingerprints: what a link check compares, so that a cited page shows as "changed" when
its text changed, not whenever its bytes did.

Two digests of a fetched document, each with its own use:

- the **raw SHA-256** of the bytes (`raw_sha256`): integrity. An archived copy is stored under it
  and keeps it (`ArchivedCopy.sha256`): it proves the stored file is the one fetched.
- the **content fingerprint** (`content_fingerprint`): what `LinkCheck.sha256` and
  `LinkCheck.baseline_sha256` hold. For HTML it is the SHA-256 of the page's visible text,
  normalised, so that what changes on every request without changing what a reader sees (a
  script, a CSRF token in a hidden input, session ids in links, indentation) leaves it alone. For
  a PDF or any other type it is the raw SHA-256: no such noise is known there.

Visible text keeps every word and number a reader sees, dates included: a date in a page's footer
that moves with the day still makes the page "changed", because a changed date in the text of a
law is a real change and the fingerprint cannot tell the two apart. Text that only scripts would
render (a page built in the browser) is not seen: a page that is all script has the fingerprint
of its little visible text, and changes inside its scripts go unnoticed.

Parsed with lxml (libxml2's HTML parser, in C): Python 3.12.1's `html.parser` takes minutes on a
few hundred kilobytes of malformed markup (unclosed comments), and any cited URL is fetched.
"""

import codecs
import hashlib
import re
import unicodedata

from lxml import etree

HTML_TYPES = ("text/html", "application/xhtml+xml")
# What a reader of the page never sees. `<head>` too, except its `<title>` (the window's title).
HIDDEN_ELEMENTS = frozenset({"script", "style", "noscript", "template"})
# A `<meta charset>` (or `http-equiv` content) or an XML declaration's encoding, near the start.
DECLARED_IN_PAGE = re.compile(
    rb"""<(?:meta[^>]+charset\s*=|\?xml[^>]+encoding\s*=)\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I
)
DECLARED_IN_HEADER = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
SNIFF_BYTES = 1024  # how far into the page its encoding is looked for, as browsers do
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)


def raw_sha256(body: bytes) -> str:
    """The digest of the bytes themselves: for integrity, never for "did it change"."""
    return hashlib.sha256(body).hexdigest()


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_html(content_type: str) -> bool:
    return media_type(content_type) in HTML_TYPES


def content_fingerprint(body: bytes, content_type: str) -> str:
    """What a link check compares: the SHA-256 of `visible_text` for HTML (by the declared
    content type), of the raw bytes for anything else."""
    if not is_html(content_type):
        return raw_sha256(body)
    try:
        text = visible_text(body, content_type)
    except etree.LxmlError:  # markup even libxml2's recovery gives up on: compared as bytes
        return raw_sha256(body)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def visible_text(body: bytes, content_type: str = "text/html") -> str:
    """The text a reader of the page sees, normalised: without scripts, styles, `<noscript>`,
    `<template>`, comments, the `<head>` (but its `<title>`) and every attribute (so every hidden
    input, link target and class name); whitespace collapsed to single spaces, every tag counting
    as a space (so that re-indenting the markup changes nothing); Unicode NFC (so that "é" written
    as one character or as "e" and an accent is the same). Character references are resolved."""
    collector = _VisibleText()
    parser = etree.HTMLParser(target=collector, no_network=True, recover=True)
    parser.feed(_decode(body, content_type))
    parser.close()
    text = unicodedata.normalize("NFC", "".join(collector.parts))
    return " ".join(text.split())


class _VisibleText:
    """An lxml parser target: collects the text outside hidden elements from the parser's events
    (libxml2 closes every element it opened, implied end tags included, so they stay balanced)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.hidden = 0  # depth inside elements no reader sees
        self.head = 0
        self.title = 0

    def start(self, tag, attrib) -> None:
        name = _local_name(tag)
        self.hidden += name in HIDDEN_ELEMENTS
        self.head += name == "head"
        self.title += name == "title"
        self.parts.append(" ")

    def end(self, tag) -> None:
        name = _local_name(tag)
        if name in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1
        if name == "head" and self.head:
            self.head -= 1
        if name == "title" and self.title:
            self.title -= 1
        self.parts.append(" ")

    def data(self, text: str) -> None:
        if not self.hidden and (not self.head or self.title):
            self.parts.append(text)

    def comment(self, text: str) -> None:
        pass

    def close(self) -> None:
        return None


def _local_name(tag: str) -> str:
    """`script` of `svg:script` or `{http://www.w3.org/1999/xhtml}script` too."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def encoding_label(body: bytes, content_type: str) -> str:
    """The encoding a browser would read the page in, named as the page or its server named it
    (a label every browser knows): a byte order mark's, else the header's charset, else a
    `<meta charset>` (or an XML declaration's encoding) near the start, else "utf-8". A name
    Python has no codec for is passed over."""
    for bom, label in BOMS:
        if body.startswith(bom):
            return label
    in_header = DECLARED_IN_HEADER.search(content_type)
    in_page = DECLARED_IN_PAGE.search(body[:SNIFF_BYTES])
    for found in (in_header and in_header.group(1), in_page and in_page.group(1).decode()):
        if not found:
            continue
        try:
            encoding = codecs.lookup(found).name
        except LookupError:
            continue
        if not encoding.startswith("utf-16"):  # a page without a BOM is not UTF-16
            return found.lower()
    return "utf-8"


def _decode(body: bytes, content_type: str) -> str:
    """The page as text, in the encoding a browser would pick (`encoding_label`); bytes that are
    not of it are replaced, never an error."""
    label = encoding_label(body, content_type)
    for bom, _label in BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    return body.decode(label, "replace")
