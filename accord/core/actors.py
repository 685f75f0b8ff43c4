"""Who performs a write and through which channel; every service takes one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


@dataclass(frozen=True)
class Actor:
    user: AbstractUser | None
    via: str = "system"
    token_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


SYSTEM = Actor(user=None, via="system")
