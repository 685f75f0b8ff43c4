"""REST endpoints for the signed-in user, their API tokens, and user administration."""

from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from accord.core.api import expected_version, set_etag
from accord.core.crud import ERRORS, actor_of, page_schema
from accord.core.errors import ValidationFailed
from accord.core.idempotency import SECRET_RESPONSE
from accord.core.pagination import paginate
from accord.core.patch import nulls_as_cleared
from accord.core.schemas import RecordId
from accord.users import selectors, services
from accord.users.models import User
from accord.users.schemas import (
    CreatedUserOut,
    IssuedTokenOut,
    MeOut,
    TokenIn,
    TokenOut,
    UserFilter,
    UserIn,
    UserOut,
    UserPatch,
)

router = Router(tags=["Me and API tokens"])


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="get_me", summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    return selectors.me_get(actor=actor_of(request))


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, operation_id="list_tokens")
def list_tokens(request: HttpRequest) -> Any:
    return list(selectors.token_list(actor=actor_of(request)))


@router.post("/tokens", response={201: IssuedTokenOut, **ERRORS}, operation_id="create_token")
def create_token(request: HttpRequest, payload: TokenIn, response: HttpResponse) -> Any:
    actor = actor_of(request)
    response["Cache-Control"] = SECRET_RESPONSE
    if payload.expires_at is not None and payload.expires_at <= timezone.now():
        raise ValidationFailed({"expires_at": ["Must be in the future."]})
    user = actor.user
    assert isinstance(user, User)
    issued = services.token_create(
        actor=actor, user=user, name=payload.name, scope=payload.scope, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(issued.token).dict(), "secret": issued.secret})


@router.delete("/tokens/{int:token_id}", response={204: None, **ERRORS}, operation_id="revoke_token")
def revoke_token(request: HttpRequest, token_id: RecordId) -> Any:
    actor = actor_of(request)
    user = actor.user
    assert isinstance(user, User)
    services.token_revoke(actor=actor, user=user, token_id=token_id)
    return Status(204, None)


users = Router(tags=["Users"])


@users.get(
    "",
    response={200: page_schema(UserOut, "users"), **ERRORS},
    operation_id="list_users",
    summary="List users (administrators)",
)
def list_users(
    request: HttpRequest,
    filters: UserFilter = Query(...),
    q: str | None = None,
    sort: Literal["username", "-username"] = "username",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    queryset = selectors.user_list(actor=actor_of(request), filters=filters, query=q)
    page = paginate(queryset, sort=sort, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@users.post(
    "",
    response={201: CreatedUserOut, **ERRORS},
    operation_id="create_user",
    summary="Create a user (administrators); without a password one is generated and returned once",
)
def create_user(request: HttpRequest, payload: UserIn, response: HttpResponse) -> Any:
    password = payload.password or services.generate_password()
    user = services.user_create(
        actor=actor_of(request),
        username=payload.username,
        password=password,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        role_id=payload.role_id,
    )
    set_etag(response, user.version)
    response["Cache-Control"] = SECRET_RESPONSE
    generated = None if payload.password else password
    return Status(201, {**UserOut.from_orm(user).dict(), "password": generated})


@users.get(
    "/{int:user_id}",
    response={200: UserOut, **ERRORS},
    operation_id="get_user",
    summary="Read a user (administrators)",
)
def get_user(request: HttpRequest, user_id: RecordId, response: HttpResponse) -> User:
    user = selectors.user_get(actor=actor_of(request), pk=user_id)
    set_etag(response, user.version)
    return user


@users.patch(
    "/{int:user_id}",
    response={200: UserOut, **ERRORS},
    operation_id="update_user",
    summary="Change a user's names, email or role (administrators; If-Match refuses stale writes)",
)
def update_user(request: HttpRequest, user_id: RecordId, payload: UserPatch, response: HttpResponse) -> User:
    actor = actor_of(request)
    user = services.user_update(
        actor=actor,
        user=selectors.user_get(actor=actor, pk=user_id),
        data=nulls_as_cleared(User, payload.dict(exclude_unset=True)),
        expected_version=expected_version(request),
    )
    set_etag(response, user.version)
    return user


@users.post(
    "/{int:user_id}/disable",
    response={200: UserOut, **ERRORS},
    operation_id="disable_user",
    summary="Disable a user: their sessions and API tokens end at once (administrators)",
)
def disable_user(request: HttpRequest, user_id: RecordId) -> User:
    return _apply(request, user_id, services.user_disable)


@users.post(
    "/{int:user_id}/enable",
    response={200: UserOut, **ERRORS},
    operation_id="enable_user",
    summary="Let a disabled user sign in again (administrators)",
)
def enable_user(request: HttpRequest, user_id: RecordId) -> User:
    return _apply(request, user_id, services.user_enable)


def _apply(request: HttpRequest, user_id: int, service: Callable[..., User]) -> User:
    """Run an action service (``user_disable``, ``user_enable``) on a user the administrator looked up."""
    actor = actor_of(request)
    return service(actor=actor, user=selectors.user_get(actor=actor, pk=user_id))
