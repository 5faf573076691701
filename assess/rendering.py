"""Analysis Markdown to safe HTML, and the readable forms of statuses and citations."""

from functools import lru_cache

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup

from .models import Status

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> Markup:
    """Markdown rendered without raw HTML, then sanitised: no script, handler or javascript: URL.

    A pure function of the text, kept per text: published analyses never change, so a page that
    shows them again (another language, another visitor) renders none of them twice."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


STATUS_LABELS = {
    Status.YES: _l("Yes"),
    Status.PARTIAL: _l("Partial"),
    Status.NO: _l("No"),
    Status.NO_DATA: _l("No Data"),
    Status.NOT_ASSESSED: _l("Not Yet Assessed"),
}
# Who an organisation replying to an assessment is (`models.ReplyRole`).
REPLY_ROLES = {
    "government": _l("Government"),
    "member": _l("Member organisation"),
    "other": _l("Other organisation"),
}
# Shapes as well as colours, so that a status never depends on colour alone.
STATUS_ICONS = {
    Status.YES: "✓",
    Status.PARTIAL: "◐",
    Status.NO: "✗",
    Status.NO_DATA: "?",
    Status.NOT_ASSESSED: "–",
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[Status(status)])


def status_icon(status: str) -> str:
    return STATUS_ICONS[Status(status)]


def instrument_label(title: str, year: int | None, status_as_of: int | None) -> str:
    """ "Criminal Code (2014, status as of 2023)"."""
    details = [str(year)] if year else []
    if status_as_of:
        details.append(str(_l("status as of %(year)s", year=status_as_of)))
    return f"{title} ({', '.join(details)})" if details else title


def reply_role_label(role: str) -> str:
    return str(REPLY_ROLES.get(role, role))
