"""API shapes for users, the signed-in user and their API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field

from accord.core.schemas import InputSchema, IsoDateTime, RecordId

Name = Annotated[str, Field(max_length=150)]
Email = Annotated[str, Field(max_length=254)]


class RoleRef(Schema):
    id: int
    key: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_admin: bool
    role: RoleRef | None
    permissions: dict[str, list[str]] = Field(description="Per object type, the actions the role allows.")
    hidden_fields: dict[str, list[str]] = Field(
        description="Per object type, the fields hidden from the role: never in output, not writable."
    )
    team_ids: list[int]


class UserOut(Schema):
    id: int
    version: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: RoleRef | None
    is_active: bool
    is_admin: bool = Field(description="A superuser or a user with an administrator role (while active).")
    date_joined: dt.datetime
    last_login: dt.datetime | None
    updated_at: dt.datetime


class CreatedUserOut(UserOut):
    password: str | None = Field(
        description="The generated password, shown once (Accord keeps only a hash); null when one was given."
    )


class UserIn(InputSchema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    email: Email = ""
    first_name: Name = ""
    last_name: Name = ""
    password: Annotated[str, Field(min_length=1, max_length=1024)] | None = Field(
        None, description="Leave out to have a random password generated and returned once."
    )
    role_id: RecordId


class UserPatch(InputSchema):
    email: Email | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    role_id: RecordId | None = None


class UserFilter(FilterSchema):
    is_active: Annotated[bool | None, FilterLookup("is_active")] = None
    role_id: Annotated[RecordId | None, FilterLookup("role_id")] = None


class TokenIn(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scope: Literal["read", "write"] = "read"
    expires_at: IsoDateTime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    is_active: bool


class IssuedTokenOut(TokenOut):
    secret: str = Field(description="Shown once: store it now, Accord keeps only a hash.")
