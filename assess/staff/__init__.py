from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import audit, matrix, notifications, queues, views  # noqa: E402,F401  (routes register on bp)
