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
}
KEY_OF_ACTION = {
    Action.SUBMIT: "review_requested",
    Action.APPROVE: "published",
    Action.REQUEST_CHANGES: "changes_requested",
    Action.REJECT: "rejected",
}


def transition_params(actor: str, country: str, indicator: str) -> dict[str, str]:
    """What a transition's message mentions: names as stored, translated when rendered."""
    return {"actor": actor, "country": country, "indicator": indicator}


def _names(params: dict) -> dict[str, str]:
    return {
        "actor": str(params.get("actor", "")),
        "country": country_name(str(params.get("country", ""))),
        "indicator": reference_text(str(params.get("indicator", ""))) or "",
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
