"""Interactions with customers over every channel, and tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from accord.core.models import TrackedModel
from accord.customers.models import Company, Contact
from accord.sales.models import Deal, Lead


class Interaction(TrackedModel):
    """One contact with a customer (a call, an email, a meeting, a chat, a post, a letter, a visit, a
    note): the unified timeline of the customer 360 view is made of these."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        CHAT = "chat", "Chat"
        WEB_VISIT = "web_visit", "Web visit"
        FORM = "form", "Form submission"
        SOCIAL = "social", "Social post or message"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Visit in person"
        NOTE = "note", "Note"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        CHAT = "chat", "Chat"
        WEB = "web", "Web"
        SOCIAL = "social", "Social"
        MAIL = "mail", "Mail"
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"
        INTERNAL = "internal", "Internal"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"
        INTERNAL = "internal", "Internal"

    # The record's id in the system it was imported from; imports match on it (docs/import.md).
    external_id = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=100, blank=True, help_text="e.g. connected, voicemail, interested")
    contacts = models.ManyToManyField(Contact, through="InteractionContact", related_name="interactions")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )

    class Meta:
        indexes = [
            models.Index(fields=["external_id"], name="interaction_external_id_idx"),
            models.Index(fields=["company", "occurred_at"], name="interaction_company_idx"),
            models.Index(fields=["deal", "occurred_at"], name="interaction_deal_idx"),
            models.Index(fields=["occurred_at", "id"], name="interaction_occurred_idx"),
            models.Index(fields=["created_at", "id"], name="interaction_created_idx"),
            models.Index(fields=["updated_at", "id"], name="interaction_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class InteractionContact(models.Model):
    """A contact taking part in an interaction; indexed by contact for the contact's timeline."""

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interaction_roles")
    occurred_at = models.DateTimeField(
        help_text="Copied from the interaction so a contact's timeline is one index range"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interaction", "contact"], name="interaction_contact_unique"),
        ]
        indexes = [models.Index(fields=["contact", "occurred_at"], name="interaction_contact_time_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.interaction_id}"


class Task(TrackedModel):
    """Something someone has to do, about a contact, company, deal or lead."""

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_idx"),
            models.Index(fields=["contact", "due_at"], name="task_contact_idx"),
            models.Index(fields=["company", "due_at"], name="task_company_idx"),
            models.Index(fields=["deal", "due_at"], name="task_deal_idx"),
            models.Index(fields=["created_at", "id"], name="task_created_idx"),
            models.Index(fields=["updated_at", "id"], name="task_updated_idx"),
            # The timelines order a customer's tasks by due date, or creation when there is none.
            models.Index(
                F("contact"), Coalesce("due_at", "created_at"), F("id"), name="task_contact_timeline_idx"
            ),
            models.Index(
                F("company"), Coalesce("due_at", "created_at"), F("id"), name="task_company_timeline_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False) | ~Q(status="done"),
                name="task_done_has_completion_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title
