"""Administration (/admin/), the account pages (/account/) and public resource files (/files/)."""

from flask import Blueprint, Flask
from flask_login import current_user

from ..services import uploads
from ..services.permissions import is_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")
account_bp = Blueprint("account", __name__, url_prefix="/account")
files_bp = Blueprint("files", __name__)


def register(app: Flask) -> None:
    from . import account, common, files, framework, home, imports, jobs, profile, users  # noqa: F401
    from .cli import import_assessments_command

    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(files_bp)
    app.cli.add_command(import_assessments_command)

    app.jinja_env.globals.update(
        resource_download_name=files.resource_download_name,
        upload_limit_mb=lambda: uploads.max_bytes() // (1024 * 1024),
    )

    @app.context_processor
    def inject_admin_flag():
        return {"user_is_admin": current_user.is_authenticated and is_admin(current_user)}
