"""Who may do what where. Access is denied unless a grant says otherwise."""

from ..models import Role, User, Version
from ..workflow import Actor


def roles_for(user: User | None, country_id: int | None) -> set[Role]:
    """Roles the user holds for a country: global grants plus that country's."""
    if user is None or not user.is_authenticated or not user.active:
        return set()
    return {
        Role(grant.role)
        for grant in user.grants
        if grant.country_id is None or grant.country_id == country_id
    }


def is_admin(user: User | None) -> bool:
    return Role.ADMIN in roles_for(user, None)


def is_supervisor(user: User | None, country_id: int) -> bool:
    return Role.SUPERVISOR in roles_for(user, country_id)


def is_editor(user: User | None, country_id: int) -> bool:
    """Reviewers and supervisors of a country may draft and edit its assessments."""
    return bool(roles_for(user, country_id) & {Role.REVIEWER, Role.SUPERVISOR})


def can_read_staff(user: User | None, country_id: int) -> bool:
    """Drafts and reviews of a country are visible to its staff and to admins."""
    return is_editor(user, country_id) or is_admin(user)


def country_scope(user: User) -> set[int] | None:
    """The countries a user works on: None for a global reviewer or supervisor, else their ids."""
    scoped: set[int] = set()
    for grant in user.grants:
        if grant.role == Role.ADMIN:
            continue
        if grant.country_id is None:
            return None
        scoped.add(grant.country_id)
    return scoped


def actor_for(user: User, version: Version, country_id: int) -> Actor:
    contributor = user.id in version.contributor_ids
    return Actor(
        is_editor=is_editor(user, country_id),
        is_supervisor=is_supervisor(user, country_id),
        is_admin=is_admin(user),
        is_contributor=contributor,
        is_creator=version.created_by_id == user.id,
    )
