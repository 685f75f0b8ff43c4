"""Reads of roles, teams, organisation-wide defaults and the shares of a record."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model, QuerySet

from accord.access.models import ObjectType, RecordShare, Role, SharingDefault, Team
from accord.access.rules import DEFAULT_VISIBILITY, TYPE_MODELS
from accord.core.actors import Actor
from accord.core.errors import NotFound, ValidationFailed
from accord.core.permissions import get_visible, require_admin


def role_list(*, actor: Actor) -> QuerySet[Role]:
    require_admin(actor)
    return Role.objects.order_by("name")


def role_get(*, actor: Actor, pk: int) -> Role:
    role = role_list(actor=actor).filter(pk=pk).first()
    if role is None:
        raise NotFound(f"No role with id {pk}.")
    return role


def team_list(*, actor: Actor) -> QuerySet[Team]:
    require_admin(actor)
    return Team.objects.prefetch_related("memberships").order_by("name")


def team_get(*, actor: Actor, pk: int) -> Team:
    team = team_list(actor=actor).filter(pk=pk).first()
    if team is None:
        raise NotFound(f"No team with id {pk}.")
    return team


def sharing_defaults(*, actor: Actor) -> list[dict[str, str]]:
    """Every object type with its default, including the ones still at the built-in default."""
    require_admin(actor)
    stored = dict(SharingDefault.objects.values_list("object_type", "visibility"))
    return [
        {"object_type": object_type, "visibility": stored.get(object_type, DEFAULT_VISIBILITY)}
        for object_type in ObjectType.values
    ]


def shared_record(actor: Actor, object_type: str, object_id: int) -> Model:
    """The record a share is about, if the actor may see it (NotFound otherwise, like any read)."""
    if object_type not in TYPE_MODELS:
        raise ValidationFailed({"object_type": ["Not an object type."]})
    model = apps.get_model(TYPE_MODELS[object_type])
    return get_visible(actor, model._default_manager.all(), object_id)


def share_list(*, actor: Actor, object_type: str, object_id: int) -> QuerySet[RecordShare]:
    """The shares of a record, for anyone who may see the record."""
    record = shared_record(actor, object_type, object_id)
    return RecordShare.objects.filter(object_type=object_type, object_id=record.pk).order_by("id")
