"""The data model (SPEC §2). Import models from here."""

from ._base import table_of, utcnow
from .accounts import LoginAttempt, Role, RoleGrant, User, UserToken, new_session_token
from .assessment import Assessment, Citation, Comment, Source, Status, Version, VersionContributor
from .audit import AuditEvent, Notification, OutboxEmail
from .countries import Country, Instrument
from .framework import FrameworkRevision, Indicator
from .profile import Fact, Member, NewsItem, ProfileChange, ProfileChangeContributor, Resource
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
    "table_of",
    "utcnow",
]
