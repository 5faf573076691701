"""Giving a role: for every country or for listed ones, always by an explicit choice, and with a
plan to show before saving (what the user will hold, what they hold already).

An empty countries field once made a supervisor global: one missed field gave approval rights
over every country. Here "all countries" is a choice of its own (`ALL_COUNTRIES`), and the admin
pages show the plan (`plan_grant`) and what the role allows before `grant_role` saves it."""

from dataclasses import dataclass

from flask_babel import gettext

from ..database import write_transaction
from ..extensions import db
from ..models import Country, Role, RoleGrant, User
from . import audit
from .errors import Conflict, ValidationError
from .users import _get, _grants, _require_admin

ALL_COUNTRIES = "all"
LISTED_COUNTRIES = "listed"
SCOPES = (ALL_COUNTRIES, LISTED_COUNTRIES)


def countries_for_scope(role: str, scope: str, codes: list[str]) -> list[str]:
    """The country codes a role is given for, from an explicit choice: every country
    (`ALL_COUNTRIES`, no codes) or the listed ones (`LISTED_COUNTRIES`). An empty list of
    countries never means "all" by accident: one missed field once made a supervisor global."""
    codes = [code for code in (c.strip() for c in codes) if code]
    if scope not in SCOPES:
        message = gettext("Choose “All countries” or “Only these countries”.")
        raise ValidationError(message, {"scope": [message]})
    if scope == LISTED_COUNTRIES and not codes:
        message = gettext("List at least one country, e.g. KZ.")
        raise ValidationError(message, {"countries": [message]})
    if scope == ALL_COUNTRIES and codes:
        message = gettext(
            "You chose all countries and also listed some: clear the list, or choose "
            "“Only these countries”."
        )
        raise ValidationError(message, {"countries": [message]})
    if role == Role.ADMIN.value and scope != ALL_COUNTRIES:
        message = gettext("The administrator role is for every country: choose “All countries”.")
        raise ValidationError(message, {"scope": [message]})
    return codes


@dataclass(frozen=True)
class GrantPlan:
    """A role about to be given: to whom, where (no countries: all of them), and which of those
    grants the user holds already."""

    user: User
    role: Role
    countries: list[Country]
    held: list[Country | None]

    @property
    def everywhere(self) -> bool:
        return not self.countries

    def new(self) -> list[Country | None]:
        wanted: list[Country | None] = list(self.countries) or [None]
        return [country for country in wanted if country not in self.held]


def plan_grant(actor: User, user_id: int, role: str, scope: str, codes: list[str]) -> GrantPlan:
    """What `grant_role` would do, changing nothing: for the summary shown before saving."""
    _require_admin(actor)
    grants = _grants(role, countries_for_scope(role, scope, codes))
    user = _get(db.session, user_id)
    parsed_role = grants[0][0]
    countries = [country for _, country in grants if country is not None]
    held = [
        country
        for _, country in grants
        if any(
            g.role == parsed_role.value and g.country_id == (country.id if country else None)
            for g in user.grants
        )
    ]
    plan = GrantPlan(user, parsed_role, countries, held)
    if not plan.new():
        raise Conflict(gettext("The user already has this role."))
    return plan


def grant_role(
    actor: User, user_id: int, role: str, scope: str, codes: list[str] | None = None
) -> GrantPlan:
    """Give a role for every country or for the listed ones (`countries_for_scope`); grants the
    user holds already are left as they are."""
    plan = plan_grant(actor, user_id, role, scope, codes or [])
    with write_transaction() as session:
        user = _get(session, user_id)
        for country in plan.new():
            country_id = country.id if country else None
            user.grants.append(RoleGrant(role=plan.role.value, country_id=country_id))
            audit.record(
                actor,
                "grant_role",
                user,
                country_id=country_id,
                details={"role": plan.role.value, "country": country.iso2 if country else None},
            )
    return plan
