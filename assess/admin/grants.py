"""What a role allows, in words, for the summary shown before a role is saved
(`services/grants.py` makes the plan; the workflow table and `permissions.py` are the rules)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import country_name
from ..models import Country, Role
from ..services.grants import GrantPlan
from ..staff.labels import role_label

ABILITIES = {
    Role.REVIEWER: [
        _l("start drafts of assessments and propose changes to the country profiles"),
        _l("edit, submit, withdraw and discard that work, and answer review comments"),
        _l("read the drafts, reviews and threads of the same countries"),
    ],
    Role.SUPERVISOR: [
        _l("everything a reviewer can"),
        _l(
            "approve and publish, request changes, reject, and withdraw published "
            "assessments from the public profile"
        ),
        _l("decide on proposed profile changes"),
        _l("never decide on what they worked on themselves (four-eyes)"),
    ],
    Role.ADMIN: [
        _l("manage users and their roles, and the indicator framework"),
        _l("propose changes to the profile of every country, and read the audit log"),
        _l("discard drafts; deciding on reviews needs a supervisor role as well"),
    ],
}


@dataclass(frozen=True)
class RoleSummary:
    heading: str
    where: str
    abilities: list[str]
    held: str


def summary(plan: GrantPlan) -> RoleSummary:
    who = plan.user.display_name
    role = role_label(plan.role.value)
    if plan.everywhere:
        total = db.session.scalar(select(func.count(Country.id))) or 0
        where = _("For every country (all %(count)s), including any added later.", count=total)
    else:
        names = ", ".join(sorted(country_name(c.name) for c in plan.countries))
        where = ngettext(
            "For %(num)d country: %(names)s.",
            "For %(num)d countries: %(names)s.",
            len(plan.countries),
            names=names,
        )
    held_names = [country_name(c.name) if c else _("all countries") for c in plan.held]
    held = (
        _("Already held, left as it is: %(names)s.", names=", ".join(held_names))
        if held_names
        else ""
    )
    return RoleSummary(
        heading=_("Check before saving: %(name)s as %(role)s", name=who, role=role),
        where=where,
        abilities=[str(line) for line in ABILITIES[plan.role]],
        held=held,
    )
