"""The status code a page answers a service's refusal with; the message is the refusal's own."""

from flask import abort

from ..services.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationError


def status_for(error: ServiceError) -> int:
    if isinstance(error, NotFound):
        abort(404)
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, ValidationError):
        return 422
    return 400
