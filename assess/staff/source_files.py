"""Files attached to a version's sources in the editor.

A file is checked and stored when it is uploaded (`services/uploads.py`), then travels from one
rendering of the form to the next as a signed token naming it: a row operation, a refused save or
a stale form keep it without a second upload, and a stored name typed by hand is never taken
(the service also refuses a file the version does not have and that was not just uploaded)."""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import FileStorage, MultiDict

from ..services import uploads
from ..services.errors import ValidationError

_SALT = "assess.source-file"
_UPLOAD_KEY = re.compile(r"sources-(\d{1,6})-upload")
# Files one save may bring: the request's size limit allows this many of the largest size.
FILES_PER_REQUEST = 3


@dataclass(frozen=True)
class AttachedFile:
    stored_name: str
    name: str
    size: int | None

    @property
    def type_label(self) -> str:
        return uploads.TYPES[self.stored_name.rsplit(".", 1)[1]].label


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=_SALT)


def token_for(stored_name: str, name: str, size: int | None) -> str:
    return _serializer().dumps([stored_name, name, size])


def attached(token: str) -> AttachedFile | None:
    """The file a token names, if this server signed it; else None."""
    if not token:
        return None
    try:
        stored_name, name, size = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(stored_name, str) or not uploads.STORED_NAME.match(stored_name):
        return None
    return AttachedFile(stored_name, str(name or ""), size if isinstance(size, int) else None)


def request_limit() -> int:
    """The body size the editor's views accept: its text, and a few files."""
    return int(current_app.config["MAX_CONTENT_LENGTH"]) + FILES_PER_REQUEST * uploads.max_bytes()


def form_memory_limit() -> int:
    return int(current_app.config["MAX_FORM_MEMORY_SIZE"])


def _refusal(error: ValidationError) -> list[str]:
    details = [d for d in error.errors.get("file", []) if d != str(error)]
    return [" ".join([str(error), *details])]


def with_uploads(
    formdata: MultiDict, files: MultiDict[str, FileStorage]
) -> tuple[MultiDict, dict[str, list[str]]]:
    """The posted form with each uploaded file stored and named by a token in its row, and the
    files refused (by field, with what is wrong). A refused file leaves its row as it was."""
    data = MultiDict(formdata)
    errors: dict[str, list[str]] = {}
    for key, upload in files.items(multi=False):
        match = _UPLOAD_KEY.fullmatch(key)
        if match is None or not upload or not upload.filename:
            continue
        try:
            stored = uploads.store(upload.filename, upload.read(uploads.max_bytes() + 1))
        except ValidationError as error:
            errors[key] = _refusal(error)
            continue
        row = f"sources-{match.group(1)}"
        data[f"{row}-file_token"] = token_for(stored.stored_name, stored.original_name, stored.size)
        data.pop(f"{row}-remove_file", None)
    return data, errors


def not_verified() -> str:
    return gettext("The attached file is not one of this version's: upload it again.")
