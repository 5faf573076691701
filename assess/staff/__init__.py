from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import country, editor, labels, review, views  # noqa: E402,F401  (routes register on bp)
