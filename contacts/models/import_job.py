"""An upload of an MSL's KOL list, as the import works through it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportJob(models.Model):
    """One upload of an MSL's KOL list: read, mapped, previewed, then imported; reading and
    importing each run in a Celery task (contacts.imports)."""

    class Status(models.TextChoices):
        READING = "reading", "Reading your file"
        MAPPING = "mapping", "Waiting for the column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=255)
    # The file as uploaded, until the worker has read it (then emptied, read or not).
    upload = models.BinaryField(default=b"", blank=True, editable=False)
    # The rows read from it (header + values) as JSON: the file is read once, by the worker.
    rows = models.JSONField(default=list)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    update_duplicates = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MAPPING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True, help_text="[row number, reason]")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease (contacts.imports): the last hand-over to the broker, the worker's claim,
    # its heartbeat after each chunk, and how many claims there were (a stale one retries).
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # imports_sweep: the few jobs reading, queued or running among all past imports.
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["reading", "queued", "running"]),
                name="importjob_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.file_name} by {self.owner}"

    @property
    def unreadable(self) -> bool:
        """It failed before its file was read: nothing to map, nothing imported."""
        return self.status == self.Status.FAILED and not self.headers
