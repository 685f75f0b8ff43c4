"""Import runs, the rows they rejected, the records they wrote (so a run can be reverted) and saved mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accord.core.models import TrackedModel


class ImportRun(TrackedModel):
    """One import of one file: its settings, its progress and its report.

    Rows are written in batches, each in one transaction that also advances ``checkpoint`` (the file row
    number of the last row of the last committed batch), so a run that stopped (a crash, a killed worker)
    is continued by executing it again: rows at or below the checkpoint are not read twice.
    """

    class MatchKey(models.TextChoices):
        EXTERNAL_ID = "external_id", "External id"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        DOMAIN = "domain", "Website domain"
        NONE = "none", "No matching"

    class OnDuplicate(models.TextChoices):
        CREATE = "create", "Create a new record"
        UPDATE = "update", "Update the existing record"
        SKIP = "skip", "Skip the row"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        REVERTED = "reverted", "Reverted"

    kind = models.CharField(
        max_length=20, help_text="companies, contacts, leads, deals, orders or interactions"
    )
    file_name = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict, blank=True, help_text="File column header -> field name")
    options = models.JSONField(
        default=dict, blank=True, help_text="Reader and parser options (date order, …)"
    )
    match_key = models.CharField(max_length=12, choices=MatchKey.choices, default=MatchKey.NONE)
    on_duplicate = models.CharField(max_length=6, choices=OnDuplicate.choices, default=OnDuplicate.SKIP)
    is_dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    companies_created_count = models.PositiveIntegerField(
        default=0, help_text="Companies created because rows named one that did not exist"
    )
    rows_seen = models.PositiveIntegerField(default=0)
    checkpoint = models.PositiveIntegerField(
        default=0, help_text="File row number of the last row whose batch is committed"
    )
    failure = models.TextField(blank=True, help_text="Why the run stopped, when it failed")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    # Records a revert left alone because they changed after the import: [{object_type, object_id, reason}].
    revert_conflicts = models.JSONField(default=list, blank=True)
    # Where the uploaded file is kept (accord.imports.storage), so a job retried on another worker reads it
    # again; blank for command-line runs (the file stays where it is) and once the file is pruned.
    stored_file = models.CharField(
        max_length=500, blank=True, help_text="Path under ACCORD_IMPORT_FILES_DIR: <user id>/<token>/<name>"
    )
    # The background jobs that execute and revert the run (their progress bars); null once pruned.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revert_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="import_run_creator_idx")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.file_name}"


class ImportRowError(models.Model):
    """Why one row of a file was rejected; the downloadable error file is made of these."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(help_text="Row number as a spreadsheet shows it (header = 1)")
    column = models.CharField(max_length=255, blank=True, help_text="The file's column; blank for the row")
    reason = models.TextField()
    cells = models.JSONField(default=list, blank=True, help_text="The row as it was in the file")

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["run", "row"], name="import_row_error_run_idx")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class ImportedRecord(models.Model):
    """A record an import created or updated: what a revert deletes or restores.

    ``version`` is the record's version right after the import, so a revert can tell a record someone
    changed since (left alone and reported) from one it may restore. ``previous`` holds, for an update,
    the old value of every field the import changed, and the child rows it added.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    # No index of its own: imported_record_run_idx (run, id) serves the lookups by run.
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records", db_index=False)
    object_type = models.CharField(
        max_length=20, help_text="company, contact, lead, deal, order, interaction"
    )
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=7, choices=Action.choices)
    version = models.PositiveIntegerField(default=1)
    previous = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "id"], name="imported_record_run_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class MappingTemplate(TrackedModel):
    """A saved column mapping for one import kind, so the next file from the same system maps itself.

    Private to its owner, or shared with the owner's teammates (``is_shared``); only the owner deletes it.
    """

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    mapping = models.JSONField(default=dict, help_text="File column header -> field name")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mapping_templates"
    )
    is_shared = models.BooleanField(default=False, help_text="Visible to the owner's teammates")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="mapping_template_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
