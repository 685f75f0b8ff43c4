"""REST endpoints for the signed-in user and their API tokens."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from accord.core.crud import ERRORS, actor_of
from accord.core.errors import ValidationFailed
from accord.users import selectors, services
from accord.users.models import User
from accord.users.schemas import IssuedTokenOut, MeOut, TokenIn, TokenOut

router = Router(tags=["Me and API tokens"])


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="get_me", summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    return actor_of(request).user


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, operation_id="list_tokens")
def list_tokens(request: HttpRequest) -> Any:
    return list(selectors.token_list(actor=actor_of(request)))


@router.post("/tokens", response={201: IssuedTokenOut, **ERRORS}, operation_id="create_token")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    actor = actor_of(request)
    if payload.expires_at is not None and payload.expires_at <= timezone.now():
        raise ValidationFailed({"expires_at": ["Must be in the future."]})
    user = actor.user
    assert isinstance(user, User)
    issued = services.token_create(
        actor=actor, user=user, name=payload.name, scope=payload.scope, expires_at=payload.expires_at
    )
    return 201, {**TokenOut.from_orm(issued.token).dict(), "secret": issued.secret}


@router.delete("/tokens/{int:token_id}", response={204: None, **ERRORS}, operation_id="revoke_token")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    actor = actor_of(request)
    user = actor.user
    assert isinstance(user, User)
    services.token_revoke(actor=actor, user=user, token_id=token_id)
    return 204, None
