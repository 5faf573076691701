"""How audit events read on the audit log and a user's history: a phrase in the reader's
language for each action code the services record (`audit.record`), never the code itself."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .labels import STATE_LABELS, State

ACTION_LABELS = {
    # a version of an assessment
    "start": _l("Draft started"),
    "save": _l("Saved"),
    "submit": _l("Submitted for review"),
    "withdraw": _l("Withdrawn from review"),
    "approve": _l("Approved and published"),
    "request_changes": _l("Changes requested"),
    "reject": _l("Rejected"),
    "discard": _l("Discarded"),
    "retract": _l("Withdrawn from public"),
    "supersede": _l("Superseded"),
    "rebase": _l("Brought up to date"),
    "comment": _l("Comment added"),
    # accounts
    "login": _l("Signed in"),
    "logout": _l("Signed out"),
    "change_password": _l("Password changed"),
    "create_user": _l("User added"),
    "invite_user": _l("User invited"),
    "resend_invitation": _l("Invitation sent again"),
    "send_password_reset": _l("Password-reset link sent"),
    "accept_invitation": _l("Invitation accepted"),
    "reset_password": _l("Password reset"),
    "deactivate_user": _l("Account deactivated"),
    "reactivate_user": _l("Account reactivated"),
    "grant_role": _l("Role given"),
    "revoke_role": _l("Role taken away"),
    "set_preferences": _l("Preferences changed"),
    "import_assessments": _l("Assessments imported"),
    # the framework
    "add_indicator": _l("Indicator added"),
    "edit_indicator": _l("Indicator edited"),
    "reorder_indicators": _l("Indicators reordered"),
    "retire_indicator": _l("Indicator retired"),
    "restore_indicator": _l("Indicator restored"),
    # profile content
    "start_profile_change": _l("Profile change started"),
    # the publishing organisation (/admin/organisation)
    "update_organisation": _l("Organisation settings changed"),
    # review cycles
    "open_cycle": _l("Review cycle opened"),
    "assign_reviewer": _l("Reviewer assigned to the cycle"),
    "unassign_reviewer": _l("Reviewer taken off the cycle"),
    "close_cycle": _l("Review cycle closed"),
    # readers' suggestions
    "suggest_correction": _l("Correction suggested by a reader"),
    "draft_from_suggestion": _l("Draft started from a suggestion"),
    "dismiss_suggestion": _l("Suggestion dismissed"),
    "complete_suggestion": _l("Suggestion marked done"),
    # the evidence
    "links_checked": _l("Cited links checked"),
    "acknowledge_link": _l("Changed link marked as checked"),
    "archived": _l("Cited documents archived"),
    "instrument_adopted": _l("Instrument's adoption recorded"),
    "instrument_amended": _l("Instrument's amendment recorded"),
    "instrument_repealed": _l("Instrument's repeal recorded"),
}
REPLY = "_reply"  # "<workflow action>_reply"
PROFILE_CHANGE = "_profile_change"  # "<workflow action>_profile_change"
KIND_LABELS = {
    "member": _l("member organisation"),
    "fact": _l("fact"),
    "resource": _l("resource"),
    "news": _l("news item"),
}
APPLIED = {  # "<operation>_<kind>": an approved profile change written to the profile
    "add": _l("Added to the profile: %(kind)s"),
    "edit": _l("Edited on the profile: %(kind)s"),
    "remove": _l("Removed from the profile: %(kind)s"),
}


def audit_label(action: str) -> str:
    """The phrase for an action code; an unknown code as it is, underscores as spaces."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.endswith(PROFILE_CHANGE) and action.removesuffix(PROFILE_CHANGE) in ACTION_LABELS:
        step = str(ACTION_LABELS[action.removesuffix(PROFILE_CHANGE)])
        return gettext("Profile change: %(action)s", action=step)
    if action.endswith(REPLY) and action.removesuffix(REPLY) in ACTION_LABELS:
        step = str(ACTION_LABELS[action.removesuffix(REPLY)])
        return gettext("Reply from an organisation: %(action)s", action=step)
    operation, _, kind = action.partition("_")
    if operation in APPLIED and kind in KIND_LABELS:
        return str(APPLIED[operation]) % {"kind": KIND_LABELS[kind]}
    return action.replace("_", " ")


def state_name(state: str | None) -> str:
    """A workflow state as a word, "—" for none; an unknown one as it is."""
    if not state:
        return "—"
    try:
        return str(STATE_LABELS[State(state)])
    except ValueError:
        return state.replace("_", " ")
