"""What the public pages, the API and the open data show alike: absolute links, and an approver's
public name. Below the blueprints and the read side, which all use it."""

from flask import current_app, request
from flask_babel import gettext as _

from .language_urls import canonical_path, site_root


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
