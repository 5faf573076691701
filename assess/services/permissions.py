"""Who may do what where. Access is denied unless a grant says otherwise.

Two rules are asked both of loaded rows and inside queries; each is written here once in Python
and once, next to it, as the SQL expression that means the same:

- a role grant *covers* a country when it is global or for that country
  (`grant_covers` / `grant_covers_sql`);
- an *eligible supervisor* of an item under review is an active supervisor of its country who did
  not contribute to it, the four-eyes rule (`eligible_supervisors` / `eligible_supervisors_sql`).
"""

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from ..extensions import db
from ..models import Role, RoleGrant, User
from ..models.reviewable import Reviewable


def grant_covers(grant: RoleGrant, country_id: int | None) -> bool:
    return grant.country_id is None or grant.country_id == country_id


def grant_covers_sql(country_id: Any) -> ColumnElement[bool]:
    """`grant_covers` in SQL: `country_id` a value, a column of the outer query, or a collection
    of ids (covers any of them)."""
    if isinstance(country_id, set | frozenset | list | tuple):
        return or_(RoleGrant.country_id.is_(None), RoleGrant.country_id.in_(country_id))
    return or_(RoleGrant.country_id.is_(None), RoleGrant.country_id == country_id)


def roles_for(user: User | None, country_id: int | None) -> set[Role]:
    """Roles the user holds for a country: global grants plus that country's."""
    if user is None or not user.is_authenticated or not user.active:
        return set()
    return {Role(grant.role) for grant in user.grants if grant_covers(grant, country_id)}


def is_admin(user: User | None) -> bool:
    return Role.ADMIN in roles_for(user, None)


def is_supervisor(user: User | None, country_id: int | None) -> bool:
    return Role.SUPERVISOR in roles_for(user, country_id)


def is_editor(user: User | None, country_id: int | None) -> bool:
    """Reviewers and supervisors of a country may draft and edit its assessments."""
    return bool(roles_for(user, country_id) & {Role.REVIEWER, Role.SUPERVISOR})


def is_translator(user: User | None, country_id: int | None) -> bool:
    """A translator of a country (or a global one, for the framework) proposes translations."""
    return Role.TRANSLATOR in roles_for(user, country_id)


def can_read_staff(user: User | None, country_id: int | None) -> bool:
    """Drafts and reviews of a country are visible to its staff and to admins."""
    return is_editor(user, country_id) or is_admin(user)


def may_vouch_for_evidence(user: User | None, country_id: int | None) -> bool:
    """Who may mark a country's changed link as checked (its new content still supports what
    cites it): those who edit its assessments, and admins."""
    return is_editor(user, country_id) or is_admin(user)


def may_edit(user: User | None, model: type[Reviewable], country_id: int | None) -> bool:
    """Who drafts items of a kind. The framework (no country): administrators and global
    translators. A country's items: its reviewers and supervisors, administrators where the
    kind says so, and its translators where the kind takes translations (its service lets them
    propose nothing else)."""
    if country_id is None:
        return is_admin(user) or is_translator(user, None)
    return (
        is_editor(user, country_id)
        or (model.admins_edit and is_admin(user))
        or (model.translators_edit and is_translator(user, country_id))
    )


def may_read(user: User | None, model: type[Reviewable], country_id: int | None) -> bool:
    """Who sees items of a kind under review: the country's staff, and its translators where
    the kind takes translations."""
    return can_read_staff(user, country_id) or (
        model.translators_edit and is_translator(user, country_id)
    )


def translates_only(user: User | None, country_id: int | None) -> bool:
    """A translator who holds no other role here: may propose translations, nothing else."""
    return is_translator(user, country_id) and not (is_editor(user, country_id) or is_admin(user))


def can_import(user: User | None) -> bool:
    """Admins import for any country; reviewers and supervisors for their own (row by row)."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    return is_admin(user) or any(
        grant.role in (Role.REVIEWER, Role.SUPERVISOR) for grant in user.grants
    )


def sees_dashboard(user: User | None) -> bool:
    """The supervisors' dashboard (waits and work per reviewer): supervisors and admins."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    return any(grant.role in (Role.SUPERVISOR, Role.ADMIN) for grant in user.grants)


def country_scope(user: User, translators: bool = False) -> set[int] | None:
    """The countries a user works on: None for a global reviewer or supervisor, else their ids.
    Translator grants count only with `translators` (profile content, not assessments)."""
    scoped: set[int] = set()
    for grant in user.grants:
        if grant.role == Role.ADMIN or (grant.role == Role.TRANSLATOR and not translators):
            continue
        if grant.country_id is None:
            return None
        scoped.add(grant.country_id)
    return scoped


def supervisors_sql(country_id: Any) -> Select:
    """The ids of the active users who supervise the country (see `grant_covers_sql`)."""
    return (
        select(RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == Role.SUPERVISOR.value,
            User.active.is_(True),
            grant_covers_sql(country_id),
        )
    )


def supervisor_ids(country_id: int | None) -> set[int]:
    return set(db.session.scalars(supervisors_sql(country_id)))


def eligible_supervisors(item: Reviewable, supervisors: set[int] | None = None) -> set[int]:
    """Who may decide the item: its country's supervisors (given, or looked up) less its
    contributors."""
    if supervisors is None:
        supervisors = supervisor_ids(item.review_country_id)
    return supervisors - item.contributor_ids


def eligible_supervisors_sql(country_id: Any, contributors: Any) -> Select:
    """`eligible_supervisors` in SQL: `contributors` a select of user ids (`contributors_sql`).

    Correlated explicitly: auto-correlation reaches only the immediately enclosing select, and
    the item and its country may belong to the one around it (else a cross join over them all)."""
    return (
        supervisors_sql(country_id)
        .where(RoleGrant.user_id.not_in(contributors))
        .correlate_except(RoleGrant, User)
    )
