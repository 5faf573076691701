"""The checks of bench/integrity.py, run on the database after the traffic has stopped."""

from collections import Counter

ACCOUNT_ACTIONS = ("login", "change_password", "logout")
WORKFLOW = ("start", "save", "submit", "approve", "request_changes")
INITIAL_PASSWORD = "bench passphrase number 0"  # noqa: S105 - the bench's own accounts


def app_for(url: str):
    from assess import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY_REQUIRED": False})


def check(url: str, account_log: list, workflow_log: list) -> dict:
    from sqlalchemy import select, text

    from assess.extensions import db
    from assess.models import Assessment, AuditEvent, User, Version
    from assess.services.accounts import hasher

    problems, lost = [], 0
    app = app_for(url)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        users = {u.email: u for u in db.session.scalars(select(User))}
        # Account writes over HTTP: acknowledged ones must be there; unacknowledged may be.
        for email in {entry[0] for entry in account_log}:
            user = users[email]
            for action in ACCOUNT_ACTIONS:
                entries = [e for e in account_log if e[0] == email and e[1] == action]
                acked = sum(1 for e in entries if e[2])
                stored = sum(1 for e in events if e.actor_id == user.id and e.action == action)
                if stored < acked:
                    lost += acked - stored
                    problems.append(f"{email}: {acked} {action} acknowledged, {stored} stored")
                if stored > len(entries):
                    problems.append(f"{email}: {stored} {action} stored, {len(entries)} tried")
            changes = [e for e in account_log if e[0] == email and e[1] == "change_password"]
            last_acked = max((i for i, e in enumerate(changes) if e[2]), default=None)
            candidates = [INITIAL_PASSWORD] if last_acked is None else [changes[last_acked][3]]
            candidates += [e[3] for e in changes[(last_acked or -1) + 1 :]]
            if not any(_verifies(hasher, user.password_hash, p) for p in candidates):
                lost += 1
                problems.append(f"{email}: the acknowledged password change is lost")
        by_id = {u.id: u.email for u in users.values()}
        flow = [e for e in events if e.object_type == "version" and e.action in WORKFLOW]
        wrong, lost_flow = workflow_problems(workflow_log, flow, by_id)
        problems += wrong
        lost += lost_flow
        versions = {v.id: v for v in db.session.scalars(select(Version))}
        for version_id, version in versions.items():
            chain = [e for e in events if e.object_type == "version" and e.object_id == version_id]
            state = None
            for event in chain:
                if event.from_state != state:
                    problems.append(
                        f"version {version_id}: {event.action} from {event.from_state}, was {state}"
                    )
                state = event.to_state
            if state != version.state:
                problems.append(f"version {version_id} is {version.state}, its events say {state}")
            problems += row_problems(version, chain, workflow_log, by_id)
        approvals = sum(1 for e in events if e.action == "approve")
        supersedes = sum(1 for e in events if e.action == "supersede")
        published_assessments = {v.assessment_id for v in versions.values() if v.number}
        if supersedes != approvals - len(published_assessments):
            problems.append(f"{supersedes} supersede events for {approvals} approvals")
        for assessment in db.session.scalars(select(Assessment)):
            published = [
                v
                for v in versions.values()
                if v.assessment_id == assessment.id and v.state == "published"
            ]
            if len(published) > 1:
                problems.append(
                    f"assessment {assessment.id} has {len(published)} published versions"
                )
            if [v.id for v in published] != (
                [assessment.published_version_id] if assessment.published_version_id else []
            ):
                problems.append(
                    f"assessment {assessment.id} points at {assessment.published_version_id}"
                )
        if db.engine.dialect.name == "sqlite":
            if db.session.execute(text("PRAGMA integrity_check")).scalar() != "ok":
                problems.append("SQLite integrity_check failed")
            if db.session.execute(text("PRAGMA foreign_key_check")).all():
                problems.append("SQLite foreign_key_check found orphans")
        figures = {
            "versions": len(versions),
            "published": sum(1 for v in versions.values() if v.state == "published"),
            "audit_events": len(events),
        }
        db.session.remove()
        db.engine.dispose()
    return {"problems": problems, "lost": lost, **figures}


def workflow_problems(log: list, events: list, emails: dict) -> tuple[list[str], int]:
    """Every acknowledged workflow write has its audit event, by the same user; every other
    event has an unanswered attempt behind it (a dropped answer may hide a done write). A
    refusal (403, 409, 422) must have written nothing, save for the save of a save-and-submit
    refused its submit."""
    problems = []
    acked = Counter((a.version, a.action, a.email) for a in log if a.acknowledged)
    unanswered = Counter((a.version, a.action, a.email) for a in log if a.may_have_written)
    recorded = Counter((e.object_id, e.action, emails.get(e.actor_id)) for e in events)
    missing = acked - recorded
    if missing:
        problems.append(f"acknowledged but not in the audit log: {dict(missing)}")
    unlogged_starts: Counter = Counter()  # a start without an answer has no version id
    for key, count in (recorded - acked).items():
        version, action, email = key
        if count <= unanswered[key]:
            continue
        if action == "start":
            unlogged_starts[email] += count - unanswered[key]
            continue
        problems.append(f"{count} {action} of version {version} by {email} stored, "
                        f"{acked[key]} acknowledged, {unanswered[key]} unanswered")  # fmt: skip
    for email, count in unlogged_starts.items():
        if count > unanswered[(None, "start", email)]:
            problems.append(f"{count} starts by {email} stored that it did not try")
    return problems, sum(missing.values())


def row_problems(version, chain: list, log: list, emails: dict) -> list[str]:
    """The version's row agrees with what was sent and decided."""
    problems = []
    if any(e.action == "save" for e in chain):
        texts = {a.text for a in log if a.version == version.id and a.action == "save"}
        if version.analysis not in texts:
            problems.append(f"version {version.id}: its analysis was never sent to it")
    workers = {e.actor_id for e in chain if e.action in ("start", "save", "submit")}
    for event in chain:
        if event.action == "approve" and event.actor_id in workers:
            problems.append(f"version {version.id} approved by {emails[event.actor_id]}, "
                            "who worked on it")  # fmt: skip
        if event.action == "approve" and (
            version.decided_by_id != event.actor_id or version.number is None
        ):
            problems.append(f"version {version.id}: approved, but its row says otherwise")
    return problems


def _verifies(hasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except Exception:
        return False
