"""Writes on users and API tokens. User administration is for administrators only; every write leaves
one audit entry in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accord.access.models import Role
from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from accord.core.normalize import normalize_email
from accord.core.permissions import require_admin
from accord.core.services import (
    assign_fields,
    check_version,
    lock_for_update,
    save_changes,
    save_unique,
    validated,
)
from accord.users.access_services import known_team_ids, user_teams_set
from accord.users.models import ApiToken, User
from accord.users.sessions import sessions_end

TOKEN_PREFIX = "acc_"
NAME_MAX_LENGTH = 150
# Who administers Accord: superusers (``accord createadmin``) and users whose role is an admin role.
ADMINISTRATORS = Q(is_superuser=True) | Q(role__is_admin=True)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def _profile_fields(data: Mapping[str, Any], *, errors: FieldErrors) -> dict[str, Any]:
    """Email (normalised, may be empty) and names, from whichever of them ``data`` holds."""
    fields: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > NAME_MAX_LENGTH:
                errors.add(name, f"At most {NAME_MAX_LENGTH} characters.")
            fields[name] = value
    if "email" in data:
        with errors.collect():
            fields["email"] = normalize_email(data["email"]) if (data["email"] or "").strip() else ""
    return fields


def _role(role_id: int | None, *, errors: FieldErrors) -> Role | None:
    if role_id is None:
        errors.add("role_id", "A user needs a role; disable the user to take every right away.")
        return None
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        errors.add("role_id", f"No role with id {role_id}.")
    return role


def _django_check(field: str, check: Callable[[], object], *, errors: FieldErrors) -> None:
    """Run one of Django's validators, adding its messages to ``field``."""
    try:
        check()
    except DjangoValidationError as error:
        for message in error.messages:
            errors.add(field, message)


def _require_another_active_admin(user: User) -> None:
    """Refuse to take the last active administrator away. The administrators' rows stay locked until the
    transaction ends, so two administrators cannot disable or demote each other at the same moment."""
    admins = User.objects.select_for_update(of=("self",)).filter(ADMINISTRATORS, is_active=True)
    if not any(pk != user.pk for pk in admins.values_list("pk", flat=True)):
        raise Conflict(f"'{user.username}' is the last active administrator; make another user one first.")


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role_id: int | None = None,
    is_admin: bool = False,
    team_ids: list[int] | None = None,
) -> User:
    """A new user with a role (``is_admin``: a superuser, as ``accord createadmin`` makes), in the given
    teams (each team's change audited as ``user_teams_set`` does)."""
    require_admin(actor)

    def build(*, errors: FieldErrors) -> dict[str, Any]:
        _django_check("username", lambda: User.username_validator(username), errors=errors)
        fields = _profile_fields(
            {"email": email, "first_name": first_name, "last_name": last_name}, errors=errors
        )
        role = _role(role_id, errors=errors) if role_id is not None or not is_admin else None
        candidate = User(username=username, **fields)
        _django_check("password", lambda: validate_password(password, candidate), errors=errors)
        known_team_ids(team_ids or [], errors)
        return {**fields, "role": role}

    fields = validated(build)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"A user named '{username}' already exists.")
    user = User(username=username, is_staff=is_admin, is_superuser=is_admin, **fields)
    user.set_password(password)
    save_unique(user)
    role = fields["role"]
    changes = {"role": (None, role.key)} if role else {"is_admin": (None, is_admin)}
    audit_write(actor=actor, action="create", instance=user, changes=changes)
    if team_ids:
        user_teams_set(actor=actor, user=user, team_ids=team_ids)
    return user


@transaction.atomic
def user_update(
    *, actor: Actor, user: User, data: Mapping[str, Any], expected_version: int | None = None
) -> User:
    """Change names, email, role and teams (``team_ids``: the teams the user ends up in). A role change
    is a change of rights: it is audited as ``role_change`` with the old and new role, and the last
    active administrator keeps theirs. Team changes are audited on each team (``user_teams_set``)."""
    require_admin(actor)
    record = lock_for_update(User, user.pk)
    check_version(record, expected_version)

    def build(*, errors: FieldErrors) -> dict[str, Any]:
        fields = _profile_fields(data, errors=errors)
        if "role_id" in data:
            fields["role"] = _role(data["role_id"], errors=errors)
        if data.get("team_ids") is not None:
            known_team_ids(data["team_ids"], errors)
        return fields

    fields = validated(build)
    role: Role | None = fields.pop("role", record.role)
    changes = assign_fields(record, fields)
    if role != record.role:
        stays_admin = record.is_superuser or bool(role and role.is_admin)
        if record.is_active and record.is_admin and not stays_admin:
            _require_another_active_admin(record)
        changes["role"] = (record.role.key if record.role else None, role.key if role else None)
        record.role = role
    save_changes(record, changes, actor=actor, action="role_change" if "role" in changes else "update")
    if data.get("team_ids") is not None:
        user_teams_set(actor=actor, user=record, team_ids=data["team_ids"])
    return record


@transaction.atomic
def user_disable(*, actor: Actor, user: User) -> User:
    """Take a user's access away at once: their API tokens are revoked and their sessions deleted, so
    their next request answers 401. One audit entry names the tokens and counts the sessions."""
    require_admin(actor)
    record = lock_for_update(User, user.pk)
    if not record.is_active:
        return record
    if record.pk == actor.user_id:
        raise Conflict("You cannot disable your own account; ask another administrator.")
    if record.is_admin:
        _require_another_active_admin(record)
    tokens = ApiToken.objects.filter(user=record, revoked_at__isnull=True)
    token_ids = sorted(tokens.values_list("pk", flat=True))
    tokens.update(revoked_at=timezone.now())
    changes = assign_fields(record, {"is_active": False})
    changes["revoked_tokens"] = ([], token_ids)
    changes["ended_sessions"] = (0, sessions_end(user_id=record.pk))
    return save_changes(record, changes, actor=actor, action="disable")


@transaction.atomic
def user_enable(*, actor: Actor, user: User) -> User:
    """Let a disabled user sign in again (with new tokens: the revoked ones stay revoked)."""
    require_admin(actor)
    record = lock_for_update(User, user.pk)
    return save_changes(record, assign_fields(record, {"is_active": True}), actor=actor, action="enable")


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> None:
    """An administrator sets anyone's password; other users only their own."""
    if actor.user_id != user.pk:
        require_admin(actor)
    errors = FieldErrors()
    _django_check("password", lambda: validate_password(password, user), errors=errors)
    errors.raise_if_any()
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
