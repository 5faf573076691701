"""Public downloads of the files attached to published profile resources."""

from flask import Blueprint, abort, redirect, send_file, url_for

from ..extensions import db
from ..models import Resource
from ..services import uploads

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
