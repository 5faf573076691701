"""Images an admin uploads (the organisation's logo): PNG, JPEG or SVG, checked by content.

An SVG is a document that can carry scripts, event handlers and links to other files; one that
is shown on every page must carry none. Rather than rewrite a file (and show something its author
did not draw), an SVG is accepted only when every element is a drawing element of SVG (or an
editor's harmless metadata), no attribute is an event handler, every link points inside the file
(`#id`) and its styles load nothing: otherwise it is refused, saying what was found. DTDs are
refused before parsing (no entity expansion, no external entities)."""

import re
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext

from .errors import ValidationError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# What drawing editors (Inkscape, Illustrator, Sketch) write besides the drawing: not rendered.
METADATA_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://www.bohemiancoding.com/sketch/ns",
}
SVG_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "metadata",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "style",
        "filter",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "feDropShadow",
    ]
)
# In a style sheet or a style attribute: anything that loads or runs something, and any CSS
# escape (`\75 rl(` is `url(`).
UNSAFE_STYLE = re.compile(
    r"@import|url\((?!\s*['\"]?\s*#)|image-set\s*\(|expression\s*\(|javascript:|\\", re.I
)


def _refuse(found: str) -> ValidationError:
    message = gettext(
        "This SVG file cannot be used: it contains %(found)s. Save it as a plain SVG drawing, "
        "or upload a PNG or JPEG.",
        found=found,
    )
    return ValidationError(message, {"logo": [message]})


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _check_element(element: Element) -> None:
    namespace, local = _split(element.tag)
    if namespace in METADATA_NAMESPACES:
        return  # an editor's data, never rendered; its attributes cannot act either
    if namespace != SVG_NS or local not in SVG_ELEMENTS:
        raise _refuse(f"<{local}>")
    if local == "style" and UNSAFE_STYLE.search(element.text or ""):
        raise _refuse(gettext("a style sheet that loads another file"))
    for attribute, value in element.attrib.items():
        _, name = _split(attribute)
        if name.lower().startswith("on"):
            raise _refuse(f"{name}=…")
        if name == "href" and not value.strip().startswith("#"):
            raise _refuse(gettext("a link to another file or address"))
        if name == "style" and UNSAFE_STYLE.search(value):
            raise _refuse(gettext("a style that loads another file"))


def check_svg(data: bytes) -> None:
    """Nothing, or a `ValidationError` naming what makes the SVG unsafe to show."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise _refuse(gettext("a document type declaration"))
    if b"<?xml-stylesheet" in data.lower():  # the parser drops it, a browser would load it
        raise _refuse(gettext("a style sheet that loads another file"))
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        message = gettext("The file is not a well-formed SVG image.")
        raise ValidationError(message, {"logo": [message]}) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        message = gettext("The file is not a well-formed SVG image.")
        raise ValidationError(message, {"logo": [message]})
    for element in root.iter():
        _check_element(element)


def content_matches(extension: str, data: bytes) -> bool:
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension == "jpg":
        return data.startswith(b"\xff\xd8\xff")
    return extension == "svg"  # checked by `check_svg`, with its own messages
