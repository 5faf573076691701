"""Public downloads of the files attached to published profile resources and to the sources of
public versions, and the publishing organisation's logo."""

from flask import Blueprint, abort, redirect, send_file, url_for

from .. import organisation
from ..extensions import db
from ..models import ArchivedCopy, Resource, Source, Version
from ..presentation import source_download_name
from ..services import archiving, uploads
from ..workflow import PUBLIC_STATES

files_bp = Blueprint("files", __name__)


def resource_download_name(resource: Resource) -> str:
    return uploads.download_name(resource.title, resource.file_name)


@files_bp.route("/files/<int:resource_id>/<filename>")
def resource_file(resource_id: int, filename: str):
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        abort(404)
    opened = uploads.open_stored(resource.file_name)
    if opened is None:
        abort(404)
    name = resource_download_name(resource)
    if filename != name:
        return redirect(url_for("files.resource_file", resource_id=resource_id, filename=name), 301)
    file_type = uploads.TYPES[resource.file_name.rsplit(".", 1)[1]]
    response = send_file(
        opened,
        mimetype=file_type.content_type,
        as_attachment=True,
        download_name=name,
        conditional=True,
        etag=resource.file_name.split(".", 1)[0],  # the content's SHA-256: the same everywhere
        max_age=3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@files_bp.route("/files/sources/<int:source_id>/<filename>")
def source_file(source_id: int, filename: str):
    """A source's uploaded file, public with its version: a draft's file is nobody's business
    yet (404), a retracted version's stays, as its archived copies do."""
    source = db.session.get(Source, source_id)
    version = db.session.get(Version, source.version_id) if source else None
    public = {s.value for s in PUBLIC_STATES}
    if source is None or version is None or version.state not in public:
        abort(404)
    opened = uploads.open_stored(source.file_stored_name or "")
    if opened is None:
        abort(404)
    name = source_download_name(source)
    if filename != name:
        return redirect(url_for("files.source_file", source_id=source_id, filename=name), 301)
    return attachment(opened, name, source.file_sha256 or "")


def attachment(opened, name: str, sha256: str, max_age: int = 3600):
    """An uploaded file as a download, never shown in the browser: its type from its extension,
    nothing sniffed, nothing run."""
    response = send_file(
        opened,
        mimetype=uploads.TYPES[name.rsplit(".", 1)[1]].content_type,
        as_attachment=True,
        download_name=name,
        conditional=True,
        etag=sha256 or False,
        max_age=max_age,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@files_bp.route("/files/logo/<stored_name>")
def organisation_logo(stored_name: str):
    """The uploaded logo, named by its content: cached for long, as a new logo has a new name.
    Only the logo in use is served (an older one is not public any more)."""
    if stored_name != organisation.current().logo_file:
        abort(404)
    opened = uploads.open_image(stored_name)
    if opened is None:
        abort(404)
    file_type = uploads.IMAGE_TYPES[stored_name.rsplit(".", 1)[1]]
    response = send_file(
        opened,
        mimetype=file_type.content_type,
        conditional=True,
        etag=stored_name.split(".", 1)[0],
        max_age=86400,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own is a document: it may style itself, nothing more.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    return response


@files_bp.route("/archive/<int:copy_id>")
def archived_copy(copy_id: int):
    """The copy of a cited document kept when its version was approved: shown, not run (a
    sandbox with no script, no request to anywhere)."""
    copy = db.session.get(ArchivedCopy, copy_id)
    version = db.session.get(Version, copy.version_id) if copy else None
    if copy is None or version is None or version.state not in {s.value for s in PUBLIC_STATES}:
        abort(404)
    opened = archiving.open_copy(copy)
    if opened is None:
        abort(404)
    response = send_file(
        opened,
        mimetype=copy.content_type,
        as_attachment=False,
        download_name=f"archived-copy-{copy.id}.{copy.stored_name.rsplit('.', 1)[1]}",
        conditional=True,
        etag=copy.sha256,
        max_age=3600,
    )
    # As captured: an HTML copy names its own encoding, which Werkzeug would follow with UTF-8's.
    response.headers["Content-Type"] = copy.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response
