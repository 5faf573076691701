"""The version forms kept across an expired session (`auth/expiry.py`): which page shows each
again, and the kept fields that page fills itself with."""

from flask import request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..auth.expiry import RESTORE_ARG
from ..services import kept_forms


def editor_path(version_id: int) -> str:
    return url_for("staff.version", version_id=version_id)


def review_path(version_id: int) -> str:
    return url_for("staff.version", version_id=version_id, view="review")


def comment_path(version_id: int) -> str:
    """A comment is posted from the editor or from the review screen (its `view` field)."""
    if request.form.get("view") == "review":
        return review_path(version_id)
    return editor_path(version_id)


def kept_form(version_id: int) -> tuple[str, MultiDict] | None:
    """The form of this version kept across an expired session (`auth/expiry.py`): the last
    part of the address it was posted to ("save", "comment", ...) and its fields."""
    kept = kept_forms.find(
        current_user, request.args.get(RESTORE_ARG, ""), f"/staff/versions/{version_id}/"
    )
    if kept is None:
        return None
    return kept.path.rsplit("/", 1)[1], kept_forms.fields_of(kept)
