class ServiceError(Exception):
    """A use case refused; the message is meant for the user."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class ValidationError(ServiceError):
    """Bad input. `errors` maps a field name to its messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class Conflict(ServiceError):
    """The request is based on an outdated state of the data."""
