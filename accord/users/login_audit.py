"""Audit entries for sign-ins, failed sign-ins and sign-outs, from Django's auth signals.

The signals are the one place every sign-in passes (the admin site, the web sign-in page, the test
client), so no view has to remember to write these entries. Each entry's ``changes`` holds the client
address and, for a failure, the account name typed, as ``[null, value]`` pairs like every other entry.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accord.core.actors import Actor
from accord.core.audit import audit_event
from accord.users.backends import THROTTLED_ATTRIBUTE
from accord.users.models import User
from accord.users.throttle import client_address

USER_OBJECT_TYPE = User._meta.label_lower


def _via(request: HttpRequest | None) -> str:
    if request is None:
        return "system"
    return "api" if request.path.startswith("/api/") else "web"


def _audit(
    *,
    action: str,
    request: HttpRequest | None,
    actor: User | None,
    user: User | None,
    typed_username: str | None = None,
) -> None:
    changes: dict[str, tuple[Any, Any]] = {"address": (None, client_address(request))}
    if typed_username is not None:
        changes["username"] = (None, typed_username)
    if request is not None and getattr(request, THROTTLED_ATTRIBUTE, False):
        changes["throttled"] = (None, True)
    audit_event(
        actor=Actor(user=actor, via=_via(request)),
        action=action,
        object_type=USER_OBJECT_TYPE,
        object_id=user.pk if user is not None else None,
        object_repr=str(user) if user is not None else typed_username or "",
        changes=changes,
    )


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    _audit(action="login", request=request, actor=user, user=user)


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:  # signing out without being signed in changes nothing
        _audit(action="logout", request=request, actor=user, user=user)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Nobody is known to act (the name typed proves nothing); the account is the object when it exists."""
    typed = credentials.get(User.USERNAME_FIELD)
    typed_username = str(typed)[:150] if typed is not None else ""
    account = User.objects.filter(username=typed_username).first() if typed_username else None
    _audit(action="login_failed", request=request, actor=None, user=account, typed_username=typed_username)
