"""The data model (SPEC §2). Import models from here."""

from ._base import table_of, utcnow
from .accounts import LoginAttempt, Role, RoleGrant, User, UserToken, new_session_token
from .assessment import Assessment, Citation, Comment, Source, Status, Version, VersionContributor
from .audit import AuditEvent, Notification, OutboxEmail
from .countries import Country, Instrument
from .framework import FrameworkRevision, Indicator
from .profile import Fact, Member, NewsItem, ProfileChange, ProfileChangeContributor, Resource

__all__ = [
    "Assessment",
    "AuditEvent",
    "Citation",
    "Comment",
    "Country",
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
