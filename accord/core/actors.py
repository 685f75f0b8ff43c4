"""Who performs a read or a write and through which channel; every selector and service takes one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from accord.access.rules import Access

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


@dataclass(frozen=True)
class Actor:
    """A user (with the token they used, if any), or Accord itself when ``user`` is None."""

    user: AbstractUser | None
    via: str = "system"
    token_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @cached_property
    def access(self) -> Access:
        """Read once per actor (an actor lives for one request): role, teams and sharing defaults."""
        return Access(self.user, system=self.user is None)


SYSTEM = Actor(user=None, via="system")
