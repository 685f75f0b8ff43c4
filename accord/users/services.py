"""Writes on users and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import Conflict, NotFound, ValidationFailed
from accord.users.models import ApiToken, User

TOKEN_PREFIX = "acc_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(15)


@transaction.atomic
def user_create(
    *, actor: Actor, username: str, password: str, email: str = "", is_admin: bool = False
) -> User:
    try:
        User.username_validator(username)
    except DjangoValidationError as error:
        raise ValidationFailed({"username": list(error.messages)}) from error
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"A user named '{username}' already exists.")
    user = User(username=username, email=email, is_staff=is_admin, is_superuser=is_admin)
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed({"password": list(error.messages)}) from error
    user.set_password(password)
    user.save()
    audit_write(actor=actor, action="create", instance=user, changes={"is_admin": (None, is_admin)})
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationFailed({"password": list(error.messages)}) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_write(actor=actor, action="password_change", instance=user)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def token_create(
    *,
    actor: Actor,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed({"scope": [f"Choose one of: {', '.join(ApiToken.Scope.values)}."]})
    body = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}{body}"
    token = ApiToken.objects.create(
        user=user,
        name=name or "API token",
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit_write(actor=actor, action="token_create", instance=token, changes={"scope": (None, scope)})
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, actor: Actor, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_write(actor=actor, action="token_revoke", instance=token)
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token for a presented secret, with its user; None when unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user__role").filter(secret_hash=hash_secret(secret)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute: a write per request would serialise SQLite readers.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
