"""The data model (SPEC §2). Import models from here."""

from ._base import utcnow
from .accounts import LoginAttempt, Role, RoleGrant, User, new_session_token
from .admin import FrameworkRevision, ProfileChange, ProfileChangeContributor, UserToken
from .assessment import Assessment, Citation, Comment, Source, Status, Version, VersionContributor
from .audit import AuditEvent, Notification, OutboxEmail
from .geo import Country, Indicator, Instrument
from .profile import Fact, Member, NewsItem, Resource
from .search import DataRelease, DataReleaseFile, SearchEntry

__all__ = [
    "Assessment",
    "AuditEvent",
    "Citation",
    "Comment",
    "Country",
    "DataRelease",
    "DataReleaseFile",
    "Fact",
    "FrameworkRevision",
    "Indicator",
    "Instrument",
    "LoginAttempt",
    "Member",
    "NewsItem",
    "Notification",
    "OutboxEmail",
    "ProfileChange",
    "ProfileChangeContributor",
    "Resource",
    "Role",
    "RoleGrant",
    "SearchEntry",
    "Source",
    "Status",
    "User",
    "UserToken",
    "Version",
    "VersionContributor",
    "new_session_token",
    "utcnow",
]
