"""Two supervisors approving the same profile change at once: one publication, one refusal."""

import multiprocessing

from sqlalchemy import func, select

from assess.extensions import db
from assess.models import Country, Fact, ProfileChange
from assess.services import profile_content

from .conftest import base_config

APPROVED, REFUSED = 0, 3


def _approve(uri: str, email: str, change_id: int, barrier) -> None:
    from assess import create_app
    from assess.models import User
    from assess.services.errors import Conflict

    app = create_app(base_config(uri, ""))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        barrier.wait(timeout=60)
        try:
            profile_content.approve(user, change_id)
        except Conflict:
            raise SystemExit(REFUSED) from None
        finally:
            db.engine.dispose()


def test_simultaneous_approvals_publish_once(app, database_url, make_user):
    kz = db.session.scalar(select(Country).where(Country.iso2 == "KZ"))
    reviewer = make_user("reviewer", ["KZ"])
    supervisors = [make_user("supervisor", ["KZ"]) for _ in range(2)]
    change = profile_content.propose(
        reviewer, kz.id, "fact", "add", {"text": "Exactly once."}, submit=True
    )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    processes = [
        context.Process(target=_approve, args=(database_url, s.email, change.id, barrier))
        for s in supervisors
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert sorted(p.exitcode for p in processes) == [APPROVED, REFUSED]
    db.session.rollback()
    count = db.session.scalar(select(func.count()).where(Fact.text == "Exactly once."))
    assert count == 1
    decided = db.session.get(ProfileChange, change.id)
    assert decided.state == "published"
    assert decided.decided_by_id in {s.id for s in supervisors}
