"""Every transition is one transaction with its audit event: when the audit write fails, nothing
of the transition remains."""

import pytest

from assess.services import audit

from .review_support import (
    AGE,
    act,
    assessment,
    events,
    form_fields,
    login,
    snapshot,
    start_draft,
    version,
)

MISSING_USER_ID = 10**9


def draft(client, auth):
    login(client, auth, "reviewer@example.org")
    return start_draft(client)


def submitted(client, auth):
    version_obj = draft(client, auth)
    assert act(client, version_obj.id, "submit").status_code == 302
    return version_obj


def as_supervisor(client, auth):
    login(client, auth, "supervisor@example.org")


def setup_start(client, auth):
    login(client, auth, "reviewer@example.org")
    return "/staff/countries/kz/age-of-consent/start", {}


def setup_save(client, auth):
    v = draft(client, auth)
    return f"/staff/versions/{v.id}/save", form_fields(version(v.id), analysis="Changed.")


def setup_submit(client, auth):
    v = draft(client, auth)
    return f"/staff/versions/{v.id}/submit", {}


def setup_withdraw(client, auth):
    v = submitted(client, auth)
    return f"/staff/versions/{v.id}/withdraw", {}


def setup_decision(action, comment):
    def setup(client, auth):
        v = submitted(client, auth)
        as_supervisor(client, auth)
        return f"/staff/versions/{v.id}/{action}", {"comment": comment, "confirmed": "yes"}

    return setup


def setup_discard(client, auth):
    v = draft(client, auth)
    return f"/staff/versions/{v.id}/discard", {}


def setup_retract(client, auth):
    as_supervisor(client, auth)
    published = assessment("KZ", AGE).published_version
    return f"/staff/versions/{published.id}/retract", {"reason": "Outdated."}


def setup_rebase(client, auth):
    v = draft(client, auth)
    as_supervisor(client, auth)
    published = assessment("KZ", AGE).published_version
    assert act(client, published.id, "retract", reason="Outdated.").status_code == 302
    login(client, auth, "reviewer@example.org")
    return f"/staff/versions/{v.id}/rebase", {}


def setup_comment(client, auth):
    v = draft(client, auth)
    return f"/staff/versions/{v.id}/comment", {"body": "A remark."}


SETUPS = {
    "start": setup_start,
    "save": setup_save,
    "submit": setup_submit,
    "withdraw": setup_withdraw,
    "approve": setup_decision("approve", ""),
    "request_changes": setup_decision("request-changes", "Fix it."),
    "reject": setup_decision("reject", "No."),
    "discard": setup_discard,
    "retract": setup_retract,
    "rebase": setup_rebase,
    "comment": setup_comment,
}


@pytest.mark.parametrize("transition", SETUPS)
def test_a_failed_audit_write_leaves_no_trace(client, auth, demo_data, monkeypatch, transition):
    url, data = SETUPS[transition](client, auth)
    before = snapshot()
    real_record = audit.record

    def record_for_nobody(*args, **kwargs):
        """The audit row is written last, at commit, and refused by the database (no such user)."""
        event = real_record(*args, **kwargs)
        event.actor_id = MISSING_USER_ID
        return event

    monkeypatch.setattr(audit, "record", record_for_nobody)
    response = client.post_form(url, data)
    monkeypatch.undo()
    assert response.status_code in (409, 500)
    assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_an_approval_failing_halfway_publishes_nothing(client, auth, demo_data, monkeypatch):
    """The approve event is written, the old version superseded, then the next step fails."""
    old = assessment("KZ", AGE).published_version
    url, data = setup_decision("approve", "")(client, auth)
    before = snapshot()
    real_record = audit.record

    def fail_on_supersede(actor, action, *args, **kwargs):
        if action == "supersede":
            raise RuntimeError("the disk is full")
        return real_record(actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", fail_on_supersede)
    response = client.post_form(url, data)
    monkeypatch.undo()
    assert response.status_code == 500
    assert snapshot() == before
    assert assessment("KZ", AGE).published_version_id == old.id
    assert version(old.id).state == "published"
    assert events(old.id)[-1].action == "approve"  # its own approval, long ago; nothing newer
