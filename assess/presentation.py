"""What the public pages, the API and the open data show alike: absolute links, and an approver's
public name. Below the blueprints and the read side, which all use it."""

from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _

from .language_urls import canonical_path, site_root
from .models import Source
from .services import uploads


def public_name(user) -> str:
    """An approver as the public sees them: their name, never their e-mail address."""
    if user is None or not user.name:
        return _("a supervisor")
    return user.name


def absolute_url(path: str) -> str:
    """`PUBLIC_BASE_URL` (a static copy) or `BASE_URL` + path, else this request's (whose host
    is checked against TRUSTED_HOSTS); always the canonical address, without a language prefix."""
    config = current_app.config
    base = (
        config.get("PUBLIC_BASE_URL")
        or config.get("BASE_URL")
        or request.host_url.rstrip("/") + site_root()
    )
    return base.rstrip("/") + canonical_path(path)


def source_download_name(source: Source) -> str:
    """The name it was uploaded under, made safe (letters, digits and dashes), with its type's
    extension whatever the uploaded name said."""
    stem = Path(source.file_name or "").stem or source.title
    return uploads.download_name(stem, source.file_stored_name or "")


def source_file_url(source: Source) -> str:
    return url_for("files.source_file", source_id=source.id, filename=source_download_name(source))


def source_file_type(source: Source) -> str:
    """ "PDF", "Word (DOCX)": the label of the file's type."""
    return uploads.TYPES[(source.file_stored_name or "").rsplit(".", 1)[-1]].label
