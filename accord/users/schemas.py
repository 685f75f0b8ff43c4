"""API shapes for the signed-in user and their API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from accord.access.rules import Access
from accord.core.schemas import InputSchema


class MeOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_admin: bool

    @staticmethod
    def resolve_is_admin(obj: Any) -> bool:
        return Access(obj).is_admin


class TokenIn(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scope: Literal["read", "write"] = "read"
    expires_at: dt.datetime | None = None


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
