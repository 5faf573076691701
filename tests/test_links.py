"""Checked links: against a small web of the tests' own (tests/web_stub.py), each kind of answer
is recorded; checks are polite; they run in the background when a version is saved or
submitted, and periodically, moving the public revision only when what the public sees changed."""

import time

import pytest
from sqlalchemy import func, select

from assess import jobs, linkcheck
from assess.extensions import db
from assess.models import AuditEvent, LinkCheck
from assess.queries.public import public_revision
from assess.services import links
from assess.services.content import CitationInput, SourceInput

from .publishing import content, draft, publish
from .web_stub import serving

FAST = linkcheck.Settings(user_agent="assess-test-checker/1.0", timeout=0.5, host_delay=0)


@pytest.fixture
def web():
    with serving() as served:
        yield served


@pytest.fixture
def quick(app):
    app.config.update(LINK_CHECK_TIMEOUT=0.5, LINK_CHECK_HOST_DELAY=0)
    return app


@pytest.fixture
def people(make_user):
    return make_user("reviewer", ["KZ"], name="Rita"), make_user("supervisor", ["KZ"], name="Sam")


def citing(*urls: str, sources: tuple[str, ...] = ()):
    return content(
        citations=[
            CitationInput(f"Law {n}", 2014, f"Article {n}", 2023, url, "en")
            for n, url in enumerate(urls, 1)
        ],
        sources=[
            SourceInput(f"Report {n}", "Publisher", 2020, url) for n, url in enumerate(sources)
        ],
    )


def test_each_kind_of_answer_is_told_apart(web):
    urls = {
        name: web.url(path)
        for name, path in [
            ("ok", "/ok/page"),
            ("missing", "/gone"),
            ("moved", "/moved"),
            ("slow", "/slow"),
            ("changing", "/changing"),
            ("private", "/private/secret"),
        ]
    }
    found = linkcheck.check_all(urls.values(), FAST)
    ok, missing, moved = found[urls["ok"]], found[urls["missing"]], found[urls["moved"]]
    assert (ok.status, ok.works, ok.content_type) == (200, True, "text/html; charset=utf-8")
    assert len(ok.fingerprint) == 64 and ok.final_url == urls["ok"]
    assert (missing.status, missing.works, missing.error) == (404, False, "HTTP 404")
    assert moved.status == 200 and moved.final_url == web.url("/ok/target")
    slow = found[urls["slow"]]
    assert slow.status is None and slow.error == "timed out" and not slow.works
    private = found[urls["private"]]
    assert private.blocked and web.requests["/private/secret"] == 0  # robots.txt obeyed
    assert web.requests["/robots.txt"] == 1  # once per host
    assert web.agents == {"assess-test-checker/1.0"}


def test_one_request_at_a_time_per_host_with_a_pause_between(web):
    web.ok_seconds = 0.02  # two requests at once would overlap
    urls = [web.url(f"/ok/{n}") for n in range(8)]
    pauses = []
    settings = linkcheck.Settings(timeout=2, host_delay=0.01, hosts_at_once=8)
    log = linkcheck.HostLog()
    results = linkcheck.check_host(urls, settings, log, sleep=pauses.append)
    assert all(r.works for r in results)
    assert web.most_in_flight == 1
    assert len(pauses) == 8  # after robots.txt, then between each two pages
    assert log.requests == {f"127.0.0.1:{web.port}": 9}
    # All at once through check_all: still one at a time, since they share a host.
    linkcheck.check_all(urls, settings)
    assert web.most_in_flight == 1


def test_a_check_records_state_status_final_url_type_and_fingerprint(quick, web):
    rows = {
        row.url: row
        for row in links.check_urls(
            [
                web.url("/ok/a"),
                web.url("/gone"),
                web.url("/moved"),
                web.url("/slow"),
                web.url("/private/x"),
                "mailto:someone@example.org",
            ]
        )
    }
    assert set(rows) == {web.url(p) for p in ("/ok/a", "/gone", "/moved", "/slow", "/private/x")}
    ok = rows[web.url("/ok/a")]
    assert (ok.state, ok.http_status, ok.content_type) == ("ok", 200, "text/html; charset=utf-8")
    assert ok.sha256 == ok.baseline_sha256 and len(ok.sha256) == 64 and ok.last_ok_at
    assert rows[web.url("/moved")].final_url == web.url("/ok/target")
    assert (rows[web.url("/gone")].state, rows[web.url("/gone")].http_status) == ("broken", 404)
    assert (rows[web.url("/slow")].state, rows[web.url("/slow")].error) == ("broken", "timed out")
    assert rows[web.url("/private/x")].state == "blocked"


def test_content_that_changes_is_flagged_changed(quick, web):
    url = web.url("/changing")
    (first,) = links.check_urls([url])
    assert first.state == "ok"
    fingerprint = first.sha256
    web.changing = b"<html><body>The Criminal Code, as amended.</body></html>"
    (second,) = links.check_urls([url])
    assert second.state == "changed"
    assert second.sha256 != fingerprint and second.baseline_sha256 == fingerprint


def test_saving_checks_the_links_in_the_background_never_in_the_request(quick, web, people):
    quick.config["JOBS"] = "in-process"
    web.slow_seconds = 0.4
    quick.config["LINK_CHECK_TIMEOUT"] = 2
    started = time.monotonic()
    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/slow"), web.url("/gone")))
    assert time.monotonic() - started < 0.35  # the save did not wait for the slow server
    jobs.wait_for_background(quick)
    db.session.commit()
    states = dict(db.session.execute(select(LinkCheck.url, LinkCheck.state)).all())
    assert states == {web.url("/slow"): "ok", web.url("/gone"): "broken"}
    assert version.id


def test_submitting_checks_again_for_the_supervisor(quick, web, people):
    from assess.services import assessments

    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/changing")))
    links.check_version(version.id)
    web.changing = b"<html>Other text</html>"
    quick.config["JOBS"] = "in-process"
    assessments.submit(people[0], version.id)
    jobs.wait_for_background(quick)
    db.session.commit()
    assert db.session.scalar(select(LinkCheck.state)) == "changed"


def test_a_save_leaves_a_link_checked_in_the_last_hour_alone(quick, web, people):
    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/ok/a")))
    links.check_version(version.id)
    links.check_version(version.id, fresh_seconds=3600)
    assert web.requests["/ok/a"] == 1
    links.check_version(version.id)  # on submit: always
    assert web.requests["/ok/a"] == 2


def _public_events() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "evidence")
    )


def test_the_periodic_check_moves_the_public_revision_only_when_a_public_result_changes(
    quick, web, people
):
    publish(*people, "KZ", "age-of-consent", citing(web.url("/changing")))
    before = public_revision().key
    links.check_due()
    first = public_revision().key
    assert first != before and _public_events() == 1  # first seen working today
    links.check_due(everything=True)  # the same answer, the same day
    assert public_revision().key == first and _public_events() == 1
    web.changing = b"<html>new</html>"  # changed: the public pages still show the same
    links.check_due(everything=True)
    assert public_revision().key == first
    # A link of a draft only: nothing public to move.
    draft(people[0], "KZ", "csam-definition", citing(web.url("/gone")))
    links.check_due(everything=True)
    assert public_revision().key == first


def test_a_public_link_that_breaks_moves_the_public_revision(quick, web, people, client):
    publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/law")))
    links.check_due()
    page = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert "link last seen working on" in page
    assert "did not answer at the last check" not in page
    web.answer = lambda handler: handler.reply(404, "text/html", b"gone")
    links.check_due(everything=True)
    page = client.get("/countries/kz/age-of-consent").get_data(as_text=True)
    assert "the link did not answer at the last check" in page


def test_the_periodic_check_renews_only_old_checks(quick, web, people):
    publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/law")))
    links.check_due()
    links.check_due()
    assert web.requests["/ok/law"] == 1
    quick.config["LINK_CHECK_INTERVAL"] = 0.000001
    time.sleep(0.01)
    links.check_due()
    assert web.requests["/ok/law"] == 2


def test_the_check_links_command(quick, web, people):
    publish(*people, "KZ", "age-of-consent", citing(web.url("/ok/law"), web.url("/gone")))
    db.session.commit()
    result = quick.test_cli_runner().invoke(args=["check-links", "--all"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 links: ok 1, changed 0, broken 1, blocked 0." in result.output


def test_the_evidence_health_page_lists_broken_and_changed_links_filterable(
    quick, web, people, client, auth
):
    version = publish(
        *people,
        "KZ",
        "age-of-consent",
        citing(web.url("/ok/law"), web.url("/gone"), web.url("/changing")),
    )
    links.check_version(version.id)
    web.changing = b"<html>rewritten</html>"
    links.check_version(version.id)
    auth.login(people[0])
    page = client.get("/staff/countries/kz/evidence").get_data(as_text=True)
    for url in (web.url("/ok/law"), web.url("/gone"), web.url("/changing")):
        assert url in page
    assert "Broken" in page and "HTTP 404" in page and "Changed" in page
    assert page.index(web.url("/gone")) < page.index(web.url("/ok/law"))  # worst first
    broken = client.get("/staff/countries/kz/evidence?state=broken").get_data(as_text=True)
    assert web.url("/gone") in broken and web.url("/changing") not in broken
    problems = client.get("/staff/countries/kz/evidence?state=problems").get_data(as_text=True)
    assert web.url("/changing") in problems and web.url("/ok/law") not in problems
    assert "Law 2, Article 2" in broken  # where it is cited
    country = client.get("/staff/countries/kz").get_data(as_text=True)
    assert "1 broken, 1 changed" in country
    home = client.get("/staff/").get_data(as_text=True)
    assert "Evidence to look at" in home and "/staff/countries/kz/evidence?state=problems" in home


def test_the_review_screen_shows_the_links_before_approval(quick, web, people, client, auth):
    from assess.services import assessments

    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/moved"), web.url("/gone")))
    assessments.submit(people[0], version.id)
    links.check_version(version.id)
    auth.login(people[1])
    page = client.get(f"/staff/versions/{version.id}?view=review").get_data(as_text=True)
    section = page[page.index("Links checked") :]
    assert "Broken" in section and "HTTP 404" in section
    assert "now at" in section and web.url("/ok/target") in section  # the redirect's end
    assert section.index("Links checked") < section.index("Approve and publish")


def test_approving_accepts_the_content_the_supervisor_saw_changed(quick, web, people):
    from assess.services import assessments

    version = draft(people[0], "KZ", "age-of-consent", citing(web.url("/changing")))
    links.check_version(version.id)
    web.changing = b"<html>the law as amended</html>"
    assessments.submit(people[0], version.id)
    links.check_version(version.id)
    assert db.session.scalar(select(LinkCheck.state)) == "changed"
    assessments.approve(people[1], version.id)
    db.session.commit()
    row = db.session.scalar(select(LinkCheck))
    assert (row.state, row.baseline_sha256) == ("ok", row.sha256)
    (again,) = links.check_urls([web.url("/changing")])
    assert again.state == "ok"


def test_a_lock_per_host_is_held_while_it_is_checked(web):
    from contextlib import contextmanager

    held = []

    @contextmanager
    def lock(host):
        held.append(("take", host))
        yield
        held.append(("release", host))

    found = linkcheck.check_all([web.url("/ok/1"), web.url("/ok/2")], FAST, host_lock=lock)
    assert all(r.works for r in found.values())
    host = f"127.0.0.1:{web.port}"
    assert held == [("take", host), ("release", host)]  # once for both, around both


def test_with_the_queue_the_lock_is_in_redis(quick):
    quick.config.update(JOBS="rq", REDIS_URL="redis://127.0.0.1:9/0")
    lock = links.host_lock()
    with lock("example.org:443"):  # Redis is away: checked without the lock, not refused
        pass
    quick.config.update(JOBS="off")
    assert links.host_lock() is None


def test_with_the_queue_down_a_check_still_runs_beside_the_request(quick, web, people):
    quick.config.update(JOBS="auto", REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    web.slow_seconds = 0.4
    quick.config["LINK_CHECK_TIMEOUT"] = 2
    started = time.monotonic()
    draft(people[0], "KZ", "age-of-consent", citing(web.url("/slow")))
    assert time.monotonic() - started < 0.35
    jobs.wait_for_background(quick)
    db.session.commit()
    assert db.session.scalar(select(LinkCheck.state)) == "ok"


def test_with_redis_two_workers_take_turns_on_a_host(quick):
    import threading
    import uuid

    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    quick.config.update(JOBS="rq", REDIS_URL=url, REDIS_KEY_PREFIX=f"test-{uuid.uuid4().hex}:")
    lock = links.host_lock()
    inside, most = [0], [0]

    def worker():
        with lock("example.org"):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            inside[0] -= 1

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
    quick.extensions.pop("assess_jobs_redis").close()
