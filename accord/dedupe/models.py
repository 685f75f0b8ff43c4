"""Duplicate candidates found by detection, and the merges that resolved them (kept so a merge can be undone)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder rounds times to milliseconds (as JavaScript does); a snapshot that undo writes
    back must keep them exact."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class ObjectType(models.TextChoices):
    """The record types that duplicate detection and merge handle."""

    COMPANY = "company", "Company"
    CONTACT = "contact", "Contact"


class DuplicateCandidate(models.Model):
    """Two records of one type that look like the same person or organisation.

    The pair is stored once, lower id first (a check constraint holds it), so a scan run twice updates
    the row instead of adding another. ``evidence`` lists what the score is made of, each item
    ``{"kind", "text", "points"}``. A dismissed pair stays dismissed when later scans find it again.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Not a duplicate"
        MERGED = "merged", "Merged"

    object_type = models.CharField(max_length=10, choices=ObjectType.choices)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField()
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "first_id", "second_id"], name="duplicate_candidate_unique_pair"
            ),
            models.CheckConstraint(condition=Q(first_id__lt=F("second_id")), name="duplicate_pair_ordered"),
            models.CheckConstraint(condition=Q(score__lte=100), name="duplicate_score_at_most_100"),
        ]
        indexes = [
            # The review queue: open pairs of one type, best first.
            models.Index(fields=["object_type", "status", "score", "id"], name="duplicate_queue_idx"),
            models.Index(fields=["object_type", "second_id"], name="duplicate_second_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.first_id} ~ {self.second_id} ({self.score})"


class MergeRecord(models.Model):
    """One merge of records into a survivor, with what undoing it needs.

    ``snapshot`` holds the losers as Django's serializer writes them (every field, tags included), the
    survivor's values before and after the merge for the fields the merge changed, the related rows that
    were moved (``moved``: model label, row id, field) and those that were deleted because the survivor
    already had the same link (``collapsed``, serialized in full).
    """

    object_type = models.CharField(max_length=10, choices=ObjectType.choices)
    survivor_id = models.BigIntegerField()
    merged_ids = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    survivor_version = models.PositiveIntegerField(help_text="The survivor's version right after the merge")
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["object_type", "survivor_id"], name="merge_survivor_idx")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.merged_ids} into {self.survivor_id}"
