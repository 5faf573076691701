"""The daily digest: one e-mail a day with everything a user would otherwise have been mailed
about one by one (`notifications._deliver` marks those notices `digest_pending`).

`assess send-digests` runs it (daily, from `deploy/systemd/assess-digest.timer`); each digest is
an outbox e-mail written in the transaction that clears the notices it lists, sent after commit
like any other. Someone who turned e-mail off since gets none, and their pending notices are
cleared all the same; their in-app notices stay."""

from itertools import groupby

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import jobs
from ..database import write_transaction
from ..messages import notification_text
from ..models import Notification, OutboxEmail, User
from .notifications import absolute_url, mail_language


def _mail(person: User, notices: list[Notification]) -> OutboxEmail:
    with force_locale(mail_language(person)):
        count = len(notices)
        subject = ngettext(
            "Your daily summary: %(num)d event", "Your daily summary: %(num)d events", count
        )
        lines = [_("What happened in your work since the last summary:"), ""]
        for notice in notices:
            lines += [f"- {notification_text(notice)}", f"  {absolute_url(notice.link)}"]
        lines += ["", _("You get one summary a day; change it on your account page.")]
    return OutboxEmail(recipient=person.email, subject=subject, body="\n".join(lines))


def send_digests() -> int:
    """Write each waiting user's digest to the outbox, clear what it lists; how many were written."""
    with write_transaction() as session:
        rows = session.execute(
            select(Notification, User)
            .join(User, User.id == Notification.user_id)
            .where(Notification.digest_pending.is_(True))
            .order_by(Notification.user_id, Notification.id)
        ).all()
        written = 0
        for _user_id, group in groupby(rows, key=lambda row: row[1].id):
            pairs = list(group)
            person = pairs[0][1]
            if person.active and person.email_notifications:
                mail = _mail(person, [notice for notice, _ in pairs])
                session.add(mail)
                jobs.after_commit(session, "send_mail", mail)
                written += 1
        if rows:
            session.execute(
                update(Notification)
                .where(Notification.id.in_([notice.id for notice, _ in rows]))
                .values(digest_pending=False)
            )
    return written
