"""Reads of users and tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accord.core.actors import Actor
from accord.users.models import ApiToken


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first (secrets are never readable, only their prefix)."""
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at", "-id")
