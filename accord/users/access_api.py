"""REST endpoints for roles, teams, organisation-wide sharing defaults and record shares."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from accord.access.models import Role, Team
from accord.core.api import expected_version, set_etag
from accord.core.crud import ERRORS, actor_of
from accord.core.patch import nulls_as_cleared
from accord.core.schemas import RecordId
from accord.users import access_selectors as selectors
from accord.users import access_services as services
from accord.users.access_schemas import (
    ObjectTypeName,
    RoleIn,
    RoleOut,
    RolePatch,
    ShareableType,
    ShareIn,
    ShareOut,
    SharingDefaultIn,
    SharingDefaultOut,
    TeamIn,
    TeamOut,
    TeamPatch,
)

roles = Router(tags=["Roles, teams and sharing"])
teams = Router(tags=["Roles, teams and sharing"])
sharing = Router(tags=["Roles, teams and sharing"])


@roles.get(
    "", response={200: list[RoleOut], **ERRORS}, operation_id="list_roles", summary="List roles (admins)"
)
def list_roles(request: HttpRequest) -> Any:
    return list(selectors.role_list(actor=actor_of(request)))


@roles.post("", response={201: RoleOut, **ERRORS}, operation_id="create_role", summary="Create a custom role")
def create_role(request: HttpRequest, payload: RoleIn, response: HttpResponse) -> Any:
    role = services.role_create(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    set_etag(response, role.version)
    return Status(201, role)


@roles.get(
    "/{int:record_id}", response={200: RoleOut, **ERRORS}, operation_id="get_role", summary="Read a role"
)
def get_role(request: HttpRequest, record_id: RecordId, response: HttpResponse) -> Any:
    role = selectors.role_get(actor=actor_of(request), pk=record_id)
    set_etag(response, role.version)
    return role


@roles.patch(
    "/{int:record_id}",
    response={200: RoleOut, **ERRORS},
    operation_id="update_role",
    summary="Change a custom role",
)
def update_role(request: HttpRequest, record_id: RecordId, payload: RolePatch, response: HttpResponse) -> Any:
    actor = actor_of(request)
    role = services.role_update(
        actor=actor,
        instance=selectors.role_get(actor=actor, pk=record_id),
        data=nulls_as_cleared(Role, payload.dict(exclude_unset=True)),
        expected_version=expected_version(request),
    )
    set_etag(response, role.version)
    return role


@roles.delete(
    "/{int:record_id}",
    response={204: None, **ERRORS},
    operation_id="delete_role",
    summary="Delete an unused custom role",
)
def delete_role(request: HttpRequest, record_id: RecordId) -> Any:
    actor = actor_of(request)
    role = selectors.role_get(actor=actor, pk=record_id)
    services.role_delete(actor=actor, instance=role, expected_version=expected_version(request))
    return Status(204, None)


@teams.get(
    "", response={200: list[TeamOut], **ERRORS}, operation_id="list_teams", summary="List teams (admins)"
)
def list_teams(request: HttpRequest) -> Any:
    return list(selectors.team_list(actor=actor_of(request)))


@teams.post("", response={201: TeamOut, **ERRORS}, operation_id="create_team", summary="Create a team")
def create_team(request: HttpRequest, payload: TeamIn, response: HttpResponse) -> Any:
    team = services.team_create(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    set_etag(response, team.version)
    return Status(201, team)


@teams.get(
    "/{int:record_id}", response={200: TeamOut, **ERRORS}, operation_id="get_team", summary="Read a team"
)
def get_team(request: HttpRequest, record_id: RecordId, response: HttpResponse) -> Any:
    team = selectors.team_get(actor=actor_of(request), pk=record_id)
    set_etag(response, team.version)
    return team


@teams.patch(
    "/{int:record_id}",
    response={200: TeamOut, **ERRORS},
    operation_id="update_team",
    summary="Rename a team, change its manager or replace its members",
)
def update_team(request: HttpRequest, record_id: RecordId, payload: TeamPatch, response: HttpResponse) -> Any:
    actor = actor_of(request)
    team = services.team_update(
        actor=actor,
        instance=selectors.team_get(actor=actor, pk=record_id),
        data=nulls_as_cleared(Team, payload.dict(exclude_unset=True)),
        expected_version=expected_version(request),
    )
    set_etag(response, team.version)
    return team


@teams.delete(
    "/{int:record_id}", response={204: None, **ERRORS}, operation_id="delete_team", summary="Delete a team"
)
def delete_team(request: HttpRequest, record_id: RecordId) -> Any:
    actor = actor_of(request)
    team = selectors.team_get(actor=actor, pk=record_id)
    services.team_delete(actor=actor, instance=team, expected_version=expected_version(request))
    return Status(204, None)


@sharing.get(
    "/sharing-defaults",
    response={200: list[SharingDefaultOut], **ERRORS},
    operation_id="list_sharing_defaults",
    summary="The organisation-wide default visibility of each object type",
)
def list_sharing_defaults(request: HttpRequest) -> Any:
    return selectors.sharing_defaults(actor=actor_of(request))


@sharing.put(
    "/sharing-defaults/{object_type}",
    response={200: SharingDefaultOut, **ERRORS},
    operation_id="set_sharing_default",
    summary="Set the default visibility of an object type",
)
def set_sharing_default(request: HttpRequest, object_type: ObjectTypeName, payload: SharingDefaultIn) -> Any:
    return services.sharing_default_set(
        actor=actor_of(request), object_type=object_type, visibility=payload.visibility
    )


@sharing.get(
    "/shares",
    response={200: list[ShareOut], **ERRORS},
    operation_id="list_shares",
    summary="The shares of a record you can see",
)
def list_shares(request: HttpRequest, object_type: ShareableType, object_id: RecordId) -> Any:
    return list(selectors.share_list(actor=actor_of(request), object_type=object_type, object_id=object_id))


@sharing.post(
    "/shares",
    response={201: ShareOut, **ERRORS},
    operation_id="create_share",
    summary="Share a record with a user or a team (its owner, their manager or an admin)",
)
def create_share(request: HttpRequest, payload: ShareIn) -> Any:
    return Status(201, services.share_create(actor=actor_of(request), data=payload.dict()))


@sharing.delete(
    "/shares/{int:share_id}",
    response={204: None, **ERRORS},
    operation_id="delete_share",
    summary="Stop sharing",
)
def delete_share(request: HttpRequest, share_id: RecordId) -> Any:
    services.share_delete(actor=actor_of(request), share_id=share_id)
    return Status(204, None)
