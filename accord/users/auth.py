"""Authentication for the API: a bearer token or the browser's session (with CSRF on writes).

Once a request's actor is known it is admitted against its rate limit (accord.core.ratelimit) here,
before ninja parses the body, so that requests with invalid bodies count too.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accord.core.actors import Actor
from accord.core.errors import PermissionDenied
from accord.core.ratelimit import SAFE_METHODS, admit
from accord.users.models import ApiToken
from accord.users.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer acc_…``; a read-scoped token may only use safe methods."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        if api_token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied("This API token is read-only; create a token with the write scope.")
        return _signed_in(request, Actor(user=api_token.user, via="api", token_id=api_token.pk))


class BrowserSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        return _signed_in(request, Actor(user=user, via="web"))


def _signed_in(request: HttpRequest, actor: Actor) -> Any:
    request.actor = actor  # type: ignore[attr-defined]
    admit(request, actor)
    return actor.user
