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


def already_decided(state: str, name: str | None) -> str:
    """The message for a decision that lost the race (or came twice): who decided, and how."""
    from flask_babel import gettext

    name = name or gettext("someone")
    if state in ("published", "superseded"):
        return gettext("This was already published by %(name)s.", name=name)
    if state == "rejected":
        return gettext("This was already rejected by %(name)s.", name=name)
    if state == "discarded":
        return gettext("This was already discarded by %(name)s.", name=name)
    return gettext("This was already decided by %(name)s.", name=name)
