from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Routes register on bp when their modules are imported.
from . import (  # noqa: E402,F401
    audit,
    audit_labels,
    country,
    editor,
    labels,
    matrix,
    notifications,
    queues,
    review,
    views,
)
