"""Messages kept as a key and parameters, rendered in the reader's language when they are read.

A notification outlives the request that caused it, and its reader may read another language
than its author: it is stored as a key of `MESSAGES` with the names it mentions (the actor, the
country's and the indicator's names as stored), and turned into a sentence only on the page or
in the e-mail that shows it, with the country and indicator names translated there too.
"""

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .i18n import country_name, reference_text
from .workflow import Action

# key -> (subject, sentence); both take %(actor)s, %(country)s and %(indicator)s.
MESSAGES: dict[str, tuple[LazyString, LazyString]] = {
    "review_requested": (
        _l("Review requested: %(country)s, %(indicator)s"),
        _l("%(actor)s submitted %(indicator)s for %(country)s for review."),
    ),
    "published": (
        _l("Published: %(country)s, %(indicator)s"),
        _l("%(actor)s approved and published %(indicator)s for %(country)s."),
    ),
    "changes_requested": (
        _l("Changes requested: %(country)s, %(indicator)s"),
        _l("%(actor)s requested changes to %(indicator)s for %(country)s."),
    ),
    "rejected": (
        _l("Rejected: %(country)s, %(indicator)s"),
        _l("%(actor)s rejected %(indicator)s for %(country)s."),
    ),
    "retracted": (
        _l("Withdrawn from the public profile: %(country)s, %(indicator)s"),
        _l("%(actor)s withdrew %(indicator)s for %(country)s from the public profile."),
    ),
    "commented": (
        _l("New comment: %(country)s, %(indicator)s"),
        _l("%(actor)s commented on %(indicator)s for %(country)s."),
    ),
    "needs_second_supervisor": (
        _l("Needs a second supervisor: %(country)s, %(indicator)s"),
        _l(
            "%(actor)s submitted %(indicator)s for %(country)s, but nobody may decide on it: "
            "every supervisor of the country worked on it. Give another person the supervisor "
            "role for the country."
        ),
    ),
    # Profile changes also name the kind of item and the item: %(kind)s, %(label)s.
    "profile_review_requested": (
        _l("Review requested: profile of %(country)s"),
        _l(
            "%(actor)s submitted a change to the profile of %(country)s for review "
            "(%(kind)s “%(label)s”)."
        ),
    ),
    "profile_published": (
        _l("Published: profile of %(country)s"),
        _l(
            "%(actor)s approved a change to the profile of %(country)s (%(kind)s “%(label)s”); "
            "the public profile shows it."
        ),
    ),
    "profile_changes_requested": (
        _l("Changes requested: profile of %(country)s"),
        _l(
            "%(actor)s requested changes to a proposed change to the profile of %(country)s "
            "(%(kind)s “%(label)s”)."
        ),
    ),
    "profile_rejected": (
        _l("Rejected: profile of %(country)s"),
        _l(
            "%(actor)s rejected a proposed change to the profile of %(country)s "
            "(%(kind)s “%(label)s”)."
        ),
    ),
    "profile_needs_second_supervisor": (
        _l("Needs a second supervisor: profile of %(country)s"),
        _l(
            "%(actor)s submitted a change to the profile of %(country)s (%(kind)s “%(label)s”), "
            "but nobody may decide on it: every supervisor of the country worked on it. Give "
            "another person the supervisor role for the country."
        ),
    ),
    # Framework revisions name the indicator whose text (or one language's translation) changes.
    "framework_review_requested": (
        _l("Review requested: the text of %(indicator)s"),
        _l("%(actor)s submitted a change to the text of the indicator %(indicator)s for review."),
    ),
    "framework_published": (
        _l("In force: the text of %(indicator)s"),
        _l(
            "%(actor)s approved a change to the text of the indicator %(indicator)s; it is "
            "now in force."
        ),
    ),
    "framework_changes_requested": (
        _l("Changes requested: the text of %(indicator)s"),
        _l(
            "%(actor)s requested changes to a proposed change to the text of the indicator "
            "%(indicator)s."
        ),
    ),
    "framework_rejected": (
        _l("Rejected: the text of %(indicator)s"),
        _l("%(actor)s rejected a proposed change to the text of the indicator %(indicator)s."),
    ),
    "framework_needs_second_supervisor": (
        _l("Needs a second supervisor: the text of %(indicator)s"),
        _l(
            "%(actor)s submitted a change to the text of the indicator %(indicator)s, but nobody "
            "may decide on it: every supervisor of all countries worked on it. Give another "
            "person the supervisor role for every country."
        ),
    ),
    # A reader's suggested correction (`services/suggestions.py`): %(label)s is its reference.
    "suggestion_received": (
        _l("Correction suggested: %(country)s, %(indicator)s"),
        _l("A reader suggested a correction to %(indicator)s for %(country)s (%(label)s)."),
    ),
    # Replies beside an assessment name the organisation that replied: %(label)s.
    "reply_review_requested": (
        _l("Review requested: reply from %(label)s"),
        _l(
            "%(actor)s submitted the reply from %(label)s on %(indicator)s for %(country)s "
            "for review."
        ),
    ),
    "reply_published": (
        _l("Published: reply from %(label)s"),
        _l(
            "%(actor)s approved the reply from %(label)s on %(indicator)s for %(country)s; "
            "the public page shows it."
        ),
    ),
    "reply_changes_requested": (
        _l("Changes requested: reply from %(label)s"),
        _l(
            "%(actor)s requested changes to the reply from %(label)s on %(indicator)s "
            "for %(country)s."
        ),
    ),
    "reply_rejected": (
        _l("Rejected: reply from %(label)s"),
        _l("%(actor)s rejected the reply from %(label)s on %(indicator)s for %(country)s."),
    ),
    "reply_needs_second_supervisor": (
        _l("Needs a second supervisor: reply from %(label)s"),
        _l(
            "%(actor)s submitted the reply from %(label)s on %(indicator)s for %(country)s, "
            "but nobody may decide on it: every supervisor of the country worked on it. Give "
            "another person the supervisor role for the country."
        ),
    ),
    # A recorded amendment or repeal outdates a published assessment: also %(instrument)s.
    "instrument_amended": (
        _l("Needs re-review: %(country)s, %(indicator)s"),
        _l(
            "%(actor)s recorded an amendment of %(instrument)s, dated after the published "
            "assessment of %(indicator)s for %(country)s: it needs re-review."
        ),
    ),
    "instrument_repealed": (
        _l("Needs re-review: %(country)s, %(indicator)s"),
        _l(
            "%(actor)s recorded the repeal of %(instrument)s, dated after the published "
            "assessment of %(indicator)s for %(country)s: it needs re-review."
        ),
    ),
}
KEY_OF_ACTION = {
    Action.SUBMIT: "review_requested",
    Action.APPROVE: "published",
    Action.REQUEST_CHANGES: "changes_requested",
    Action.REJECT: "rejected",
    Action.RETRACT: "retracted",
}
PROFILE_KEY_OF_ACTION = {
    Action.SUBMIT: "profile_review_requested",
    Action.APPROVE: "profile_published",
    Action.REQUEST_CHANGES: "profile_changes_requested",
    Action.REJECT: "profile_rejected",
}
FRAMEWORK_KEY_OF_ACTION = {
    Action.SUBMIT: "framework_review_requested",
    Action.APPROVE: "framework_published",
    Action.REQUEST_CHANGES: "framework_changes_requested",
    Action.REJECT: "framework_rejected",
}
REPLY_KEY_OF_ACTION = {
    Action.SUBMIT: "reply_review_requested",
    Action.APPROVE: "reply_published",
    Action.REQUEST_CHANGES: "reply_changes_requested",
    Action.REJECT: "reply_rejected",
}
# A submission nobody may decide, by the kind of item (`Reviewable.review_kind`).
STUCK_KEYS = {
    "version": "needs_second_supervisor",
    "profile_change": "profile_needs_second_supervisor",
    "indicator_revision": "framework_needs_second_supervisor",
    "reply": "reply_needs_second_supervisor",
}
PROFILE_KINDS = {
    "member": _l("member organisation"),
    "fact": _l("fact"),
    "resource": _l("resource"),
    "news": _l("news item"),
}


def transition_params(actor: str, country: str, indicator: str) -> dict[str, str]:
    """What a transition's message mentions: names as stored, translated when rendered."""
    return {"actor": actor, "country": country, "indicator": indicator}


def profile_params(actor: str, country: str, kind: str, label: str) -> dict[str, str]:
    """What a profile change's message mentions: the kind is translated when rendered, the
    item's name is shown as written."""
    return {"actor": actor, "country": country, "kind": kind, "label": label}


def _names(params: dict) -> dict[str, str]:
    kind = str(params.get("kind", ""))
    return {
        "actor": str(params.get("actor", "")),
        "country": country_name(str(params.get("country", ""))),
        "indicator": reference_text(str(params.get("indicator", ""))) or "",
        "kind": str(PROFILE_KINDS.get(kind, kind)),
        "label": str(params.get("label", "")),
        "instrument": str(params.get("instrument", "")),
    }


def subject(key: str, params: dict) -> str:
    """The e-mail subject of message `key`, in the current language."""
    return str(MESSAGES[key][0]) % _names(params)


def sentence(key: str, params: dict) -> str:
    """The sentence of message `key`, in the current language."""
    return str(MESSAGES[key][1]) % _names(params)


def notification_text(notification) -> str:
    """A notification as its reader reads it: rendered from its key where it has one, else the
    sentence stored with it (notifications written before keys were kept)."""
    if notification.key in MESSAGES:
        return sentence(notification.key, notification.params or {})
    return notification.message
