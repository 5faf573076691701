"""Uploaded resource files: checked by extension *and* content, stored by their SHA-256.

Files live in the configured storage (`assess/storage.py`: the folder `ASSESS_UPLOAD_DIR`, default
`uploads/` in the instance folder, or an S3 bucket), named `<sha256>.<ext>`: the name says nothing
the uploader chose, the same file is stored once, and a write is atomic. A file becomes public
only when an approved `Resource` row names it, or (an image) when it is the organisation's logo."""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext

from ..storage import current as current_storage
from . import images
from .errors import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|docx|odt|xlsx|csv)$")
IMAGE_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|svg)$")
ANY_STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|docx|odt|xlsx|csv|png|jpg|svg)$")
DEFAULT_IMAGE_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


TYPES = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", "PDF"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word (DOCX)",
        ),
        FileType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text (ODT)"),
        FileType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel (XLSX)",
        ),
        FileType("csv", "text/csv; charset=utf-8", "CSV"),
    )
}


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    size: int

    @property
    def type(self) -> FileType:
        return TYPES[self.stored_name.rsplit(".", 1)[1]]


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _zip_names(data: bytes) -> tuple[set[str], bytes]:
    """The member names of a ZIP container, and its `mimetype` member (ODF puts its type there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").strip()
            return names, mimetype
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return set(), b""


def _content_matches(extension: str, data: bytes) -> bool:
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension == "csv":
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return True
    if not data.startswith(b"PK\x03\x04"):
        return False
    names, mimetype = _zip_names(data)
    if extension == "docx":
        return "[Content_Types].xml" in names and "word/document.xml" in names
    if extension == "xlsx":
        return "[Content_Types].xml" in names and "xl/workbook.xml" in names
    return mimetype == TYPES["odt"].content_type.encode()


def check(filename: str, data: bytes) -> FileType:
    """The file's type, or a `ValidationError` saying what is wrong with it."""
    extension = filename.rsplit(".", 1)[1].lower() if "." in filename else ""
    allowed = ", ".join(t.label for t in TYPES.values())
    if extension not in TYPES:
        raise ValidationError(
            gettext("Unsupported file type."),
            {"file": [gettext("Upload one of: %(types)s.", types=allowed)]},
        )
    if not data:
        raise ValidationError(
            gettext("The file is empty."), {"file": [gettext("The file is empty.")]}
        )
    if len(data) > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        raise ValidationError(
            gettext("The file is too large."),
            {"file": [gettext("Upload at most %(mb)s MB.", mb=limit)]},
        )
    if not _content_matches(extension, data):
        message = gettext("The file's content is not a %(type)s file.", type=TYPES[extension].label)
        raise ValidationError(message, {"file": [message]})
    return TYPES[extension]


def store(filename: str, data: bytes) -> StoredFile:
    """Check and store a file; storing the same bytes twice keeps one copy."""
    file_type = check(filename, data)
    stored_name = f"{hashlib.sha256(data).hexdigest()}.{file_type.extension}"
    storage = current_storage()
    if not storage.exists(stored_name):
        storage.put(stored_name, data)
    original = Path(filename.replace("\\", "/")).name[:200]
    return StoredFile(stored_name, original, len(data))


def exists(stored_name: str) -> bool:
    """Whether a stored name is well formed and its file is in the storage."""
    return bool(STORED_NAME.match(stored_name or "")) and current_storage().exists(stored_name)


def open_stored(stored_name: str) -> Path | IO[bytes] | None:
    """The file for a stored name, for `send_file`: a path on local storage, else its content;
    None when the name is malformed or the file is missing. Never outside the storage."""
    if not STORED_NAME.match(stored_name or ""):
        return None
    storage = current_storage()
    return storage.local_path(stored_name) or storage.open(stored_name)


def download_name(title: str, stored_name: str) -> str:
    """A readable, safe file name for a download: the resource's title, slugged."""
    extension = stored_name.rsplit(".", 1)[1]
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:80] or "resource"
    return f"{stem}.{extension}"


# --- images (the organisation's logo) ---------------------------------------------------------

IMAGE_TYPES = {
    t.extension: t
    for t in (
        FileType("png", "image/png", "PNG"),
        FileType("jpg", "image/jpeg", "JPEG"),
        FileType("svg", "image/svg+xml", "SVG"),
    )
}
IMAGE_EXTENSIONS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "svg": "svg"}


def image_max_bytes() -> int:
    return int(current_app.config.get("IMAGE_MAX_BYTES") or DEFAULT_IMAGE_MAX_BYTES)


def check_image(filename: str, data: bytes, field: str = "logo") -> FileType:
    """The image's type, or a `ValidationError` (on `field`) saying what is wrong with it."""
    extension = filename.rsplit(".", 1)[1].lower() if "." in filename else ""
    allowed = ", ".join(t.label for t in IMAGE_TYPES.values())

    def refuse(message: str, detail: str | None = None) -> ValidationError:
        return ValidationError(message, {field: [detail or message]})

    if extension not in IMAGE_EXTENSIONS:
        raise refuse(
            gettext("Unsupported file type."),
            gettext("Upload one of: %(types)s.", types=allowed),
        )
    if not data:
        raise refuse(gettext("The file is empty."))
    if len(data) > image_max_bytes():
        limit = max(1, image_max_bytes() // 1024)
        raise refuse(
            gettext("The file is too large."), gettext("Upload at most %(kb)s KB.", kb=limit)
        )
    file_type = IMAGE_TYPES[IMAGE_EXTENSIONS[extension]]
    if not images.content_matches(file_type.extension, data):
        raise refuse(gettext("The file's content is not a %(type)s file.", type=file_type.label))
    if file_type.extension == "svg":
        images.check_svg(data)
    return file_type


def store_image(filename: str, data: bytes) -> StoredFile:
    """Check and store an image, named by its content like every upload."""
    file_type = check_image(filename, data)
    stored_name = f"{hashlib.sha256(data).hexdigest()}.{file_type.extension}"
    storage = current_storage()
    if not storage.exists(stored_name):
        storage.put(stored_name, data)
    return StoredFile(stored_name, Path(filename.replace("\\", "/")).name[:200], len(data))


def open_image(stored_name: str) -> Path | IO[bytes] | None:
    """Like `open_stored`, for a stored image."""
    if not IMAGE_NAME.match(stored_name or ""):
        return None
    storage = current_storage()
    return storage.local_path(stored_name) or storage.open(stored_name)


def image_exists(stored_name: str) -> bool:
    return bool(IMAGE_NAME.match(stored_name or "")) and current_storage().exists(stored_name)
