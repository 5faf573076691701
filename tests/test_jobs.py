"""Background jobs: mail is sent after the commit that wrote it, in-process without Redis or by
`assess worker` from RQ over Redis, retried with backoff, and visible to admins when it fails."""

import uuid

import pytest
import redis
from sqlalchemy import create_engine, select, text

from assess import jobs
from assess.extensions import db
from assess.models import OutboxEmail, Version
from assess.services import mail

from .conftest import AuthActions
from .queue_data import submitted

REDIS_URL = "redis://127.0.0.1:6379/15"


def outbox() -> list[OutboxEmail]:
    db.session.commit()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


class Recorder:
    """A mail backend that notes what it sends, and what another connection sees meanwhile."""

    def __init__(self, database_url: str, fail: bool = False) -> None:
        self.engine = create_engine(database_url)
        self.sent: list[tuple[str, list[str]]] = []
        self.fail = fail

    def send(self, message) -> None:
        with self.engine.connect() as other:
            states = list(other.scalars(text("SELECT state FROM version ORDER BY id")))
        self.sent.append((message["To"], states))
        if self.fail:
            raise ConnectionRefusedError("the SMTP server said no")


@pytest.fixture
def recorder(database_url, monkeypatch):
    made = Recorder(database_url)
    monkeypatch.setattr(mail, "backend_from_config", lambda config, echo=print: made)
    yield made
    made.engine.dispose()


@pytest.fixture
def team(make_user):
    return {
        "reviewer": make_user("reviewer", ["KZ"], name="Aigerim"),
        "supervisor": make_user("supervisor", ["KZ"], name="Dana"),
    }


# --- in-process (no Redis) ----------------------------------------------------------------------


def test_without_redis_mail_is_sent_right_after_the_commit(app, team, recorder):
    app.config["JOBS"] = "auto"
    version = submitted(team["reviewer"])
    assert [to for to, _ in recorder.sent] == [team["supervisor"].email]
    # When it was sent, another connection already saw the submission: the transaction was over.
    _, states_seen = recorder.sent[0]
    assert states_seen == ["submitted"]
    (row,) = outbox()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    assert db.session.get(Version, version.id).state == "submitted"


def test_a_rolled_back_transaction_sends_nothing(app, team, recorder):
    app.config["JOBS"] = "auto"
    row = OutboxEmail(recipient="x@example.org", subject="s", body="b")
    db.session.add(row)
    jobs.after_commit(db.session, "send_mail", row)
    db.session.rollback()
    db.session.commit()
    assert recorder.sent == []
    assert outbox() == []


def test_a_failed_in_process_send_stays_in_the_outbox_with_its_error(app, team, recorder):
    app.config["JOBS"] = "auto"
    recorder.fail = True
    submitted(team["reviewer"])  # the submission itself succeeds
    (row,) = outbox()
    assert row.sent_at is None and row.attempts == 1
    assert "the SMTP server said no" in row.last_error


def test_jobs_off_leaves_the_outbox_to_send_mail(app, team, recorder):
    submitted(team["reviewer"])
    assert recorder.sent == []
    assert outbox()[0].sent_at is None


# --- on RQ over Redis ---------------------------------------------------------------------------


@pytest.fixture
def queued(app):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    name = f"assess-test-{uuid.uuid4().hex[:8]}"
    app.config.update(
        REDIS_URL=REDIS_URL, JOBS="auto", JOBS_QUEUE=name, JOBS_RETRY_INTERVALS=[0, 0]
    )
    yield app
    queue = jobs.queue()
    queue.delete(delete_jobs=True)
    from rq.registry import FailedJobRegistry

    for job_id in FailedJobRegistry(queue=queue).get_job_ids():
        FailedJobRegistry(queue=queue).remove(job_id, delete_job=True)
    app.extensions.pop("assess_jobs_redis").close()


def test_with_redis_mail_waits_on_the_queue_for_the_worker(queued, team, recorder):
    submitted(team["reviewer"])
    assert recorder.sent == []
    assert jobs.queue().count == 1
    (row,) = outbox()
    assert row.sent_at is None
    jobs.work(queued, burst=True, fork=False)
    assert [to for to, _ in recorder.sent] == [team["supervisor"].email]
    (row,) = outbox()
    assert row.sent_at is not None
    assert jobs.queue().count == 0


def test_a_failing_job_is_retried_then_shown_to_admins(queued, team, recorder, client, make_user):
    recorder.fail = True
    submitted(team["reviewer"])
    jobs.work(queued, burst=True, fork=False)
    assert len(recorder.sent) == 3  # the first try and two retries
    (row,) = outbox()
    assert row.sent_at is None and row.attempts == 3
    (failed,) = jobs.failed_jobs()
    assert "send_mail" in failed["description"]
    assert "JobFailed" in failed["error"] and f"mail {row.id} not sent" in failed["error"]

    AuthActions(client).login(make_user("admin"))
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert team["supervisor"].email in page
    assert "the SMTP server said no" in page
    assert f"mail {row.id} not sent" in page


def test_the_forking_worker_sends_from_its_child(queued, team, capfd):
    submitted(team["reviewer"])  # the console backend: the child prints the message
    jobs.work(queued, burst=True)
    (row,) = outbox()
    assert row.sent_at is not None and row.attempts == 1
    assert f"To: {team['supervisor'].email}" in capfd.readouterr().out


def test_without_the_queue_the_job_runs_in_process(app, team, recorder):
    app.config.update(REDIS_URL="redis://127.0.0.1:9/0", JOBS="auto")  # nothing listens there
    submitted(team["reviewer"])
    assert len(recorder.sent) == 1
    assert outbox()[0].sent_at is not None
    app.extensions.pop("assess_jobs_redis", None)


def test_only_admins_see_the_jobs(client, make_user):
    AuthActions(client).login(make_user("supervisor", ["KZ"]))
    assert client.get("/admin/jobs/").status_code == 403


def test_an_admin_sees_an_empty_report(client, make_user):
    AuthActions(client).login(make_user("admin"))
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "Every e-mail tried so far was sent." in page


def test_assess_worker_runs_the_queue(queued, team, recorder):
    submitted(team["reviewer"])
    result = queued.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert outbox()[0].sent_at is not None


def test_assess_worker_without_redis_says_what_to_set(app):
    app.config["JOBS"] = "auto"
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "set ASSESS_REDIS_URL" in result.output
