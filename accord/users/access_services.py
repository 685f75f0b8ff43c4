"""Writes on roles, teams, organisation-wide defaults and record shares: the permission changes.

Each is audited in the same transaction like every other write; roles, teams and defaults are for
administrators, sharing a record is for its owner, their managers and administrators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accord.access.models import Action, ObjectType, RecordShare, Role, SharingDefault, Team, TeamMembership
from accord.access.rules import DEFAULT_VISIBILITY, SENSITIVE_FIELDS
from accord.core.actors import Actor
from accord.core.audit import audit_write
from accord.core.errors import Conflict, FieldErrors, NotFound
from accord.core.permissions import require_admin, require_share
from accord.core.services import assign_fields, check_version, create_audited, delete_audited, save_changes
from accord.users.access_selectors import shared_record
from accord.users.models import User

Data = Mapping[str, Any]


# ---------------------------------------------------------------- roles


def _role_grants(data: Data, errors: FieldErrors) -> dict[str, Any]:
    """Permissions and hidden fields checked against the known object types, actions and sensitive fields.

    A null is the same as leaving the field out: ``RoleIn`` shares ``RolePatch``'s optional fields, and
    none of these columns can hold one.
    """
    data = {name: value for name, value in data.items() if value is not None}
    fields: dict[str, Any] = {}
    if "permissions" in data:
        permissions: dict[str, list[str]] = {}
        for object_type, actions in data["permissions"].items():
            if object_type not in ObjectType.values:
                errors.add(f"permissions.{object_type}", "Not an object type.")
            elif unknown := sorted(set(actions) - set(Action.values)):
                errors.add(f"permissions.{object_type}", f"Unknown actions: {', '.join(unknown)}.")
            elif actions and "view" not in actions:
                errors.add(f"permissions.{object_type}", "Every other action needs 'view'.")
            else:
                permissions[object_type] = [action for action in Action.values if action in actions]
        fields["permissions"] = permissions
    if "hidden_fields" in data:
        hidden: dict[str, list[str]] = {}
        for object_type, names in data["hidden_fields"].items():
            allowed = SENSITIVE_FIELDS.get(object_type, ())
            if unknown := sorted(set(names) - set(allowed)):
                choices = ", ".join(allowed) or "none"
                errors.add(
                    f"hidden_fields.{object_type}", f"Cannot hide {', '.join(unknown)} (may hide: {choices})."
                )
            else:
                hidden[object_type] = sorted(set(names))
        fields["hidden_fields"] = hidden
    for name in ("name", "description", "is_external"):
        if name in data:
            fields[name] = data[name]
    return fields


@transaction.atomic
def role_create(*, actor: Actor, data: Data) -> Role:
    """A custom role (built-in roles come from ``accord.access.builtin_roles``)."""
    require_admin(actor)
    errors = FieldErrors()
    fields = _role_grants(data, errors)
    if Role.objects.filter(key=data["key"]).exists():
        errors.add("key", "A role with this key already exists.")
    errors.raise_if_any()
    return create_audited(Role(key=data["key"], **fields), actor=actor)


@transaction.atomic
def role_update(*, actor: Actor, instance: Role, data: Data, expected_version: int | None = None) -> Role:
    require_admin(actor)
    role = Role.objects.select_for_update().get(pk=instance.pk)
    if role.is_builtin:
        raise Conflict("Built-in roles cannot be changed; create a custom role instead.")
    check_version(role, expected_version)
    errors = FieldErrors()
    fields = _role_grants(data, errors)
    errors.raise_if_any()
    return save_changes(role, assign_fields(role, fields), actor=actor, action="permission_change")


@transaction.atomic
def role_delete(*, actor: Actor, instance: Role, expected_version: int | None = None) -> None:
    require_admin(actor)
    if instance.is_builtin:
        raise Conflict("Built-in roles cannot be deleted.")
    delete_audited(instance, actor=actor, expected_version=expected_version)


# ---------------------------------------------------------------- teams


def _team_fields(data: Data, errors: FieldErrors) -> dict[str, Any]:
    # A null name is the same as leaving it out (the column cannot hold one); a null manager removes the manager.
    fields: dict[str, Any] = {name: data[name] for name in ("name", "manager_id") if name in data}
    if fields.get("name", "") is None:
        del fields["name"]
    manager_id = fields.get("manager_id")
    if manager_id is not None and not User.objects.filter(pk=manager_id, is_active=True).exists():
        errors.add("manager_id", f"No active user with id {manager_id}.")
    member_ids = data.get("member_ids")
    if member_ids is not None:
        known = set(User.objects.filter(pk__in=member_ids, is_active=True).values_list("pk", flat=True))
        for index, pk in enumerate(member_ids):
            if pk not in known:
                errors.add(f"member_ids.{index}", f"No active user with id {pk}.")
    return fields


def _set_members(team: Team, member_ids: list[int] | None) -> dict[str, tuple[Any, Any]]:
    if member_ids is None:
        return {}
    old = sorted(team.memberships.values_list("user_id", flat=True))
    new = sorted(set(member_ids))
    if old == new:
        return {}
    team.memberships.exclude(user_id__in=new).delete()
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, user_id=pk) for pk in new if pk not in old], ignore_conflicts=True
    )
    return {"member_ids": (old, new)}


@transaction.atomic
def team_create(*, actor: Actor, data: Data) -> Team:
    require_admin(actor)
    errors = FieldErrors()
    fields = _team_fields(data, errors)
    if Team.objects.filter(name__iexact=data["name"]).exists():
        errors.add("name", "A team with this name already exists.")
    errors.raise_if_any()
    team = create_audited(Team(**fields), actor=actor)
    _set_members(team, data.get("member_ids"))
    return team


@transaction.atomic
def team_update(*, actor: Actor, instance: Team, data: Data, expected_version: int | None = None) -> Team:
    require_admin(actor)
    team = Team.objects.select_for_update().get(pk=instance.pk)
    check_version(team, expected_version)
    errors = FieldErrors()
    fields = _team_fields(data, errors)
    if "name" in data and Team.objects.filter(name__iexact=data["name"]).exclude(pk=team.pk).exists():
        errors.add("name", "A team with this name already exists.")
    errors.raise_if_any()
    changes = assign_fields(team, fields)
    changes.update(_set_members(team, data.get("member_ids")))
    return save_changes(team, changes, actor=actor, action="permission_change")


def known_team_ids(team_ids: list[int], errors: FieldErrors) -> list[int]:
    """The given team ids, each naming a team (errors name ``team_ids``), without repeats."""
    known = set(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    for pk in team_ids:
        if pk not in known:
            errors.add("team_ids", f"No team with id {pk}.")
    return sorted(set(team_ids) & known)


@transaction.atomic
def user_teams_set(*, actor: Actor, user: User, team_ids: list[int]) -> None:
    """Make ``user`` a member of exactly these teams. A membership is part of its team, so each team that
    gains or loses the user changes like ``team_update`` would change it: version bumped, audited as
    ``permission_change`` with the old and new member ids."""
    require_admin(actor)
    errors = FieldErrors()
    wanted = known_team_ids(team_ids, errors)
    errors.raise_if_any()
    current = set(TeamMembership.objects.filter(user_id=user.pk).values_list("team_id", flat=True))
    changed = sorted(current.symmetric_difference(wanted))
    for team in Team.objects.select_for_update().filter(pk__in=changed).order_by("pk"):
        members = set(team.memberships.values_list("user_id", flat=True))
        members = members | {user.pk} if team.pk in wanted else members - {user.pk}
        save_changes(team, _set_members(team, sorted(members)), actor=actor, action="permission_change")


@transaction.atomic
def team_delete(*, actor: Actor, instance: Team, expected_version: int | None = None) -> None:
    require_admin(actor)
    delete_audited(instance, actor=actor, expected_version=expected_version)


# ---------------------------------------------------------------- organisation-wide defaults


@transaction.atomic
def sharing_default_set(*, actor: Actor, object_type: str, visibility: str) -> SharingDefault:
    require_admin(actor)
    default, _ = SharingDefault.objects.select_for_update().get_or_create(
        object_type=object_type, defaults={"visibility": DEFAULT_VISIBILITY}
    )
    changes = assign_fields(default, {"visibility": visibility})
    if changes:
        default.save()
        audit_write(actor=actor, action="permission_change", instance=default, changes=changes)
    return default


# ---------------------------------------------------------------- record shares


@transaction.atomic
def share_create(*, actor: Actor, data: Data) -> RecordShare:
    """Share a record with a user or a team, or change the access of an existing share."""
    record = shared_record(actor, data["object_type"], data["object_id"])
    require_share(actor, record)
    errors = FieldErrors()
    user_id, team_id = data.get("user_id"), data.get("team_id")
    if (user_id is None) == (team_id is None):
        errors.add("user_id", "Give either user_id or team_id.")
    elif user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        errors.add("user_id", f"No active user with id {user_id}.")
    elif team_id is not None and not Team.objects.filter(pk=team_id).exists():
        errors.add("team_id", f"No team with id {team_id}.")
    errors.raise_if_any()
    grantee_field = {"user_id": user_id} if user_id is not None else {"team_id": team_id}
    share, created = RecordShare.objects.get_or_create(
        object_type=data["object_type"],
        object_id=record.pk,
        **grantee_field,
        defaults={"access": data["access"], "created_by_id": actor.user_id},
    )
    changes = (
        {"access": (None, share.access)} if created else assign_fields(share, {"access": data["access"]})
    )
    if changes and not created:
        share.save(update_fields=["access"])
    if changes:
        grantee = f"user {user_id}" if user_id is not None else f"team {team_id}"
        audit_write(
            actor=actor, action="share", instance=record, changes={"grantee": (None, grantee), **changes}
        )
    return share


@transaction.atomic
def share_delete(*, actor: Actor, share_id: int) -> None:
    share = RecordShare.objects.filter(pk=share_id).first()
    if share is None:
        raise NotFound(f"No share with id {share_id}.")
    record = shared_record(actor, share.object_type, share.object_id)
    require_share(actor, record)
    grantee = f"user {share.user_id}" if share.user_id is not None else f"team {share.team_id}"
    share.delete()
    audit_write(actor=actor, action="unshare", instance=record, changes={"grantee": (grantee, None)})
