"""The one scoping function every read goes through.

Today every signed-in user may read every record; record-level visibility (owner, team, sharing,
roles) arrives with the access-control work and changes only this module, because lists, details,
search, counts, timelines and exports all start from ``visible_to``.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from accord.core.actors import Actor
from accord.core.errors import NotFound, PermissionDenied

ModelT = TypeVar("ModelT", bound=Model)


def visible_to(actor: Actor, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    if actor.user is None or not actor.user.is_active:
        return queryset.none()
    return queryset


def get_visible(actor: Actor, queryset: QuerySet[ModelT], pk: int) -> ModelT:
    """The record if the actor may see it; otherwise NotFound, so that existence does not leak."""
    instance = visible_to(actor, queryset).filter(pk=pk).first()
    if instance is None:
        raise NotFound(f"No {queryset.model._meta.verbose_name} with id {pk}.")
    return instance


def require_admin(actor: Actor) -> None:
    """Administration (custom fields, users, settings) is for administrators only."""
    if actor.user is None or not actor.user.is_staff:
        raise PermissionDenied("Only administrators can do this.")
