"""Base models shared by every domain, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TrackedModel(models.Model):
    """Timestamps and a version for optimistic concurrency.

    Timestamps default to now rather than using auto_now so that imports and the demo data can keep
    the dates a record really had; services set ``updated_at`` and bump ``version`` explicitly
    (see ``accord.core.services.apply_changes``).
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One accountable change: who did what to which record, through which channel, field by field.

    Written by services in the same transaction as the change. Never updated or deleted by Accord.
    """

    class Via(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        CLI = "cli", "Command line"
        IMPORT = "import", "Import"
        JOB = "job", "Background job"
        SYSTEM = "system", "System"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_id = models.BigIntegerField(null=True, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_idx")]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class SearchEntry(models.Model):
    """One row per searchable record (company, contact, lead, deal) for the global search.

    ``text`` holds the lowercased names, emails, phone digits and domains; SQLite indexes it with
    two FTS5 tables (words and trigrams, kept in sync by triggers), PostgreSQL with a full-text GIN
    and a trigram GIN index. Services refresh the entry in the same transaction as the record.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        CONTACT = "contact", "Contact"
        LEAD = "lead", "Lead"
        DEAL = "deal", "Deal"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class Tag(models.Model):
    """A label that users put on companies, contacts, leads and deals."""

    name = models.CharField(max_length=60, unique=True)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomField(TrackedModel):
    """An administrator-defined field on one object type; values live in the record's ``custom_fields``."""

    class ObjectType(models.TextChoices):
        COMPANY = "company", "Company"
        CONTACT = "contact", "Contact"
        LEAD = "lead", "Lead"
        DEAL = "deal", "Deal"

    class FieldType(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        CHOICE = "choice", "Choice"
        BOOLEAN = "boolean", "Yes/No"

    object_type = models.CharField(max_length=10, choices=ObjectType.choices)
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=FieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    is_required = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "key"], name="custom_field_unique_key"),
        ]
        ordering = ["object_type", "key"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.key}"


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` on a POST and the response it got, so a retry gets that response.

    The row is inserted (the claim) and committed before the operation runs; the unique constraint makes
    two concurrent requests with one key a conflict instead of two records. ``response_status`` stays null
    while the first request runs. Rows older than ``ACCORD_IDEMPOTENCY_KEY_TTL`` are deleted when later
    keys are claimed (accord.core.idempotency).
    """

    # No index of its own: the unique constraint's index starts with user_id.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is a client error.
    request_fingerprint = models.CharField(max_length=64)
    claimed_at = models.DateTimeField(db_index=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"")
    response_content_type = models.CharField(max_length=100, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class SavedView(TrackedModel):
    """A user's named view of one list: its search, filters, sort and columns, as the list's query string.

    Private to its owner, or shared with one of the owner's teams (``team``), whose members may apply
    it; only its owner changes or deletes it (``accord.core.saved_views``).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_key = models.CharField(max_length=30, help_text="The list it belongs to, e.g. contacts")
    name = models.CharField(max_length=100)
    query = models.JSONField(default=dict, blank=True, help_text="Query parameters: name -> list of values")
    team = models.ForeignKey(
        "access.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "list_key", "name"], name="saved_view_unique_name"),
        ]
        indexes = [models.Index(fields=["list_key", "team"], name="saved_view_team_idx")]

    def __str__(self) -> str:
        return self.name
