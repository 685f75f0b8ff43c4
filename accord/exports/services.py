"""Writes of the exports app: a user's calendar feed secret, created, rotated and revoked."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import NotFound
from accord.exports.models import CalendarFeed
from accord.users.services import hash_secret

FEED_PREFIX = "cal_"


def _own_user(actor: Actor) -> Any:
    if actor.user is None:
        raise NotFound("Only a signed-in user has a calendar feed.")
    return actor.user


@transaction.atomic
def calendar_feed_issue(*, actor: Actor) -> str:
    """A new secret for the actor's own feed (the old address stops working at once); shown once."""
    user = _own_user(actor)
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    action = "calendar_feed_rotate" if feed is not None else "calendar_feed_create"
    if feed is None:
        feed = CalendarFeed(user=user)
    feed.secret_hash = hash_secret(secret)
    feed.created_at = timezone.now()
    feed.last_used_at = None
    feed.save()
    audit_write(actor=actor, action=action, instance=feed)
    return secret


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor) -> bool:
    """The actor's feed removed (its address answers 404 from now on); False when there was none."""
    feed = CalendarFeed.objects.filter(user=_own_user(actor)).first()
    if feed is None:
        return False
    audit_write(actor=actor, action="calendar_feed_revoke", instance=feed)
    feed.delete()
    return True


def calendar_feed_user(secret: str) -> Any | None:
    """The active user whose feed has this secret; None for an unknown, revoked or rotated secret, or a
    disabled user."""
    if not secret.startswith(FEED_PREFIX):
        return None
    feed = CalendarFeed.objects.select_related("user__role").filter(secret_hash=hash_secret(secret)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute, as for API tokens: calendar apps poll.
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user
