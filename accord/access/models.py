"""Who may see and change what: roles, teams, organisation-wide defaults and explicit shares.

The rules that read these tables are in ``accord.access.rules``; docs/security.md says them in plain words.
This app sits below every other Accord app (it references users only by ``AUTH_USER_MODEL``) so that the
one scoping function, ``accord.core.permissions.visible_to``, can use it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ObjectType(models.TextChoices):
    """The record types that permissions are granted on."""

    COMPANY = "company", "Company"
    CONTACT = "contact", "Contact"
    LEAD = "lead", "Lead"
    DEAL = "deal", "Deal"
    ORDER = "order", "Order"
    INTERACTION = "interaction", "Interaction"
    TASK = "task", "Task"
    PRODUCT = "product", "Product"
    PIPELINE = "pipeline", "Pipeline"


class Action(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    EDIT = "edit", "Edit"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"


class Role(models.Model):
    """What its users may do: per object type a set of actions, and the sensitive fields hidden from them.

    ``permissions`` maps an object type to its actions, e.g. ``{"contact": ["view", "edit"]}``;
    ``hidden_fields`` maps an object type to field names from ``accord.access.rules.SENSITIVE_FIELDS``.
    Built-in roles are kept in step with ``accord.access.builtin_roles`` on every migrate and cannot be
    changed; administrators create custom roles.
    """

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)
    # Administrators see and change everything and manage users, roles, teams and settings.
    is_admin = models.BooleanField(default=False)
    # External users (partners) see only their own records and those shared with them, whatever the defaults.
    is_external = models.BooleanField(default=False)
    permissions = models.JSONField(default=dict, blank=True)
    hidden_fields = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of users who work the same records; its manager sees and edits what its members own."""

    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")]
        indexes = [models.Index(fields=["user", "team"], name="team_membership_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class Visibility(models.TextChoices):
    """Organisation-wide default for one object type, from narrowest to widest."""

    PRIVATE = "private", "Private: the owner only"
    TEAM = "team", "Team: the owner's teams"
    PUBLIC_READ = "public_read", "Public read"
    PUBLIC_READ_WRITE = "public_read_write", "Public read and write"


class SharingDefault(models.Model):
    """The organisation-wide default visibility of one object type (a missing row means ``team``)."""

    object_type = models.CharField(max_length=20, choices=ObjectType.choices, unique=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices)

    def __str__(self) -> str:
        return f"{self.object_type}: {self.visibility}"


class RecordShare(models.Model):
    """One record shared explicitly with one user or one team, to read or to edit."""

    class Access(models.TextChoices):
        READ = "read", "Read"
        EDIT = "edit", "Read and edit"

    object_type = models.CharField(max_length=20, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    access = models.CharField(max_length=4, choices=Access.choices, default=Access.READ)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="record_share_one_grantee",
            ),
            models.UniqueConstraint(
                fields=["object_type", "object_id", "user"], name="record_share_unique_user"
            ),
            models.UniqueConstraint(
                fields=["object_type", "object_id", "team"], name="record_share_unique_team"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "object_type", "object_id"], name="record_share_user_idx"),
            models.Index(fields=["team", "object_type", "object_id"], name="record_share_team_idx"),
        ]

    def __str__(self) -> str:
        grantee = f"user {self.user_id}" if self.user_id else f"team {self.team_id}"
        return f"{self.object_type}#{self.object_id} → {grantee} ({self.access})"
