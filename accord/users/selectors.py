"""Reads of users and tokens, and what the signed-in user may do."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import FilterSchema

from accord.access.models import Action, ObjectType
from accord.core.actors import Actor
from accord.core.permissions import get_visible, require_admin
from accord.core.selectors import filtered_list
from accord.users.models import ApiToken, User


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first (secrets are never readable, only their prefix)."""
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at", "-id")


def user_list(*, actor: Actor, filters: FilterSchema | None, query: str | None = None) -> QuerySet[User]:
    """Every user with their role, for administrators; ``query`` matches names, username and email."""
    require_admin(actor)
    return filtered_list(
        actor,
        User.objects.select_related("role"),
        filters=filters,
        query=query,
        text_fields=("username", "email", "first_name", "last_name"),
    )


def user_get(*, actor: Actor, pk: int) -> User:
    require_admin(actor)
    return get_visible(actor, User.objects.select_related("role"), pk)


def me_get(*, actor: Actor) -> dict[str, Any]:
    """The signed-in user with their role, rights and hidden fields per object type, and their teams:
    what a client needs to show only what this user may do."""
    user = actor.user
    assert user is not None, "only a signed-in user has a profile"
    access = actor.access
    object_types = ObjectType.values
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_admin": access.is_admin,
        "role": access.role,
        "permissions": {kind: [a for a in Action.values if access.can(a, kind)] for kind in object_types},
        "hidden_fields": {kind: sorted(access.hidden_fields(kind)) for kind in object_types},
        "team_ids": sorted(access.team_ids),
    }


def user_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The active users as (id, display name), for picking an owner or an assignee: the directory of
    colleagues every signed-in user may read (docs/security.md, known limits)."""
    if actor.user_id is None and not actor.access.is_admin:
        return []
    users = User.objects.filter(is_active=True).order_by("username")
    return [(user.pk, user.display_name) for user in users.only("pk", "username", "first_name", "last_name")]
