"""The calendar subscription feed of a user (the other exports are streamed and keep nothing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarFeed(models.Model):
    """A user's secret calendar address, ``/calendar/<secret>.ics``. Only a SHA-256 hash of the secret is
    kept, as for API tokens (``accord.users.models.ApiToken``): 256 random bits need no slow hash, and a
    calendar app's poll finds its feed with one indexed lookup. One feed per user; rotating replaces it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
