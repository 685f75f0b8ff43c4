"""Users, their API tokens, browser sessions and failed sign-ins; roles and teams are in ``accord.access``."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person who signs in to Accord. A custom model from day one so it can grow without a data migration.

    What they may do comes from their ``role`` (``accord.access``); a user without a role may do nothing
    unless they are a superuser.
    """

    role = models.ForeignKey(
        "access.Role", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["username"]

    @property
    def is_admin(self) -> bool:
        """A superuser (``accord createadmin``) or a user whose role is an administrator role; while the
        user is disabled it grants nothing (``accord.access.rules.Access``)."""
        return self.is_superuser or (self.role is not None and self.role.is_admin)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 hash of the secret is stored.

    Tokens are 256-bit random secrets, so a fast hash is safe (no dictionary to try) and lets each
    request find its token with one indexed lookup. ``prefix`` is shown in listings to tell tokens apart.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class UserSession(AbstractBaseSession):
    """A browser session (Django's database session) that knows whose it is.

    ``accord.users.sessions.SessionStore`` fills ``user_id`` on every save, also after the session key
    changes (sign-in, password change), so disabling a user ends all of their sessions with one indexed
    delete. It is not a foreign key: a session being saved while its user is deleted must not fail.
    """

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    @classmethod
    def get_session_store_class(cls) -> type:
        from accord.users.sessions import SessionStore

        return SessionStore


class LoginAttempt(models.Model):
    """A password sign-in that counts towards throttling, for one account name or one client address.

    ``key`` is an HMAC of the normalised account name or the client's network, so neither is kept here.
    Rows older than the failure window are deleted as new attempts arrive; a successful sign-in deletes
    its account's rows (``accord.users.throttle``).
    """

    key = models.CharField(max_length=64)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "attempted_at"], name="login_attempt_key_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
