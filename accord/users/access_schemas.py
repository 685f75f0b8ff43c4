"""API shapes for roles, teams, organisation-wide defaults and record shares."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from accord.core.schemas import InputSchema, RecordId

ObjectTypeName = Literal[
    "company", "contact", "lead", "deal", "order", "interaction", "task", "product", "pipeline"
]
ShareableType = Literal["company", "contact", "lead", "deal", "order", "interaction", "task"]
ActionName = Literal["view", "create", "edit", "delete", "export"]
VisibilityName = Literal["private", "team", "public_read", "public_read_write"]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class RoleOut(Schema):
    id: int
    key: str
    name: str
    description: str
    is_builtin: bool
    is_admin: bool
    is_external: bool
    permissions: dict[str, list[str]]
    hidden_fields: dict[str, list[str]]
    version: int


class RolePatch(InputSchema):
    name: Name | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    is_external: bool | None = None
    permissions: dict[ObjectTypeName, list[ActionName]] | None = None
    hidden_fields: dict[ObjectTypeName, list[str]] | None = None


class RoleIn(RolePatch):
    key: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,50}$")]
    name: Name


class TeamOut(Schema):
    id: int
    name: str
    manager_id: int | None
    member_ids: list[int]
    version: int

    @staticmethod
    def resolve_member_ids(obj: object) -> list[int]:
        return sorted(obj.memberships.values_list("user_id", flat=True))  # type: ignore[attr-defined]


class TeamPatch(InputSchema):
    name: Name | None = None
    manager_id: RecordId | None = None
    member_ids: list[RecordId] | None = None


class TeamIn(TeamPatch):
    name: Name


class SharingDefaultOut(Schema):
    object_type: ObjectTypeName
    visibility: VisibilityName


class SharingDefaultIn(InputSchema):
    visibility: VisibilityName


class ShareIn(InputSchema):
    object_type: ShareableType
    object_id: RecordId
    user_id: RecordId | None = None
    team_id: RecordId | None = None
    access: Literal["read", "edit"] = "read"


class ShareOut(Schema):
    id: int
    object_type: str
    object_id: int
    user_id: int | None
    team_id: int | None
    access: str
