"""The data model (SPEC §2). Import models from here."""

from ._base import table_of, utcnow
from .accounts import (
    KeptForm,
    LoginAttempt,
    Role,
    RoleGrant,
    User,
    UserToken,
    new_session_token,
)
from .assessment import (
    Assessment,
    Citation,
    Comment,
    ReviewRound,
    Source,
    Status,
    Version,
    VersionContributor,
)
from .audit import AuditEvent, Notification, OutboxEmail
from .countries import Country, Instrument
from .cycles import ReviewAssignment, ReviewCycle, ReviewCycleCountry, ReviewCycleIndicator
from .evidence import (
    ArchivedCopy,
    InstrumentEvent,
    InstrumentEventKind,
    LinkCheck,
    LinkState,
)
from .framework import FrameworkRevision, Indicator, IndicatorRevision, IndicatorRevisionContributor
from .imports import ImportBatch
from .profile import Fact, Member, NewsItem, ProfileChange, ProfileChangeContributor, Resource
from .search import DataRelease, DataReleaseFile, SearchEntry
from .settings import OrganisationSettings
from .talkback import Reply, ReplyContributor, ReplyRole, Suggestion, SuggestionState

__all__ = [
    "ArchivedCopy",
    "Assessment",
    "AuditEvent",
    "Citation",
    "Comment",
    "Country",
    "DataRelease",
    "DataReleaseFile",
    "Fact",
    "FrameworkRevision",
    "ImportBatch",
    "Indicator",
    "IndicatorRevision",
    "IndicatorRevisionContributor",
    "Instrument",
    "InstrumentEvent",
    "InstrumentEventKind",
    "KeptForm",
    "LinkCheck",
    "LinkState",
    "LoginAttempt",
    "Member",
    "NewsItem",
    "Notification",
    "OrganisationSettings",
    "OutboxEmail",
    "ProfileChange",
    "ProfileChangeContributor",
    "Reply",
    "ReplyContributor",
    "ReplyRole",
    "Resource",
    "ReviewAssignment",
    "ReviewCycle",
    "ReviewCycleCountry",
    "ReviewCycleIndicator",
    "ReviewRound",
    "Role",
    "RoleGrant",
    "SearchEntry",
    "Source",
    "Status",
    "Suggestion",
    "SuggestionState",
    "User",
    "UserToken",
    "Version",
    "VersionContributor",
    "new_session_token",
    "table_of",
    "utcnow",
]
