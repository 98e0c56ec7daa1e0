"""The outbox and the dispatcher's own record. See reminders/services.py for the pipeline."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Reminder(models.Model):
    """The outbox: one row per email to send. The database decides what is due and what was
    sent; the broker only carries "send row N" messages.

    The unique key (recipient, kind, object_key, due_key) makes every dispatcher run, and two
    beats at once, create each reminder once. All four parts are non-null (NULLs are
    distinct in unique constraints): object_key is "" for a digest; due_key is the
    recipient's local date.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", "Daily digest"
        FOLLOW_UP = "follow_up", "Follow-up due"
        MANAGER_WEEKLY = "manager_weekly", "Weekly team summary"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent"
        EXPIRED = "expired", "Not sent in time"
        FAILED = "failed", "Refused by the recipient's mail server"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_key = models.CharField(max_length=64, blank=True, default="")
    due_key = models.CharField(max_length=32)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Why it was not sent (skipped, expired, failed), in the recipient's words.
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Tried until then, however long our mail server is down; null: until it is done.
    expires_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "engagements_reminder"  # the table of the app it came from: rows stay
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_key", "due_key"], name="reminder_once"
            )
        ]
        indexes = [
            # The sweeper: rows still pending or stuck in sending (partial: the live ones).
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="reminder_live",
            ),
            # The Sent reminders page: a recipient's newest rows.
            models.Index(fields=["recipient", "-created_at"], name="reminder_recipient_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.due_key})"


class DispatchRun(models.Model):
    """One row (pk 1): the dispatcher's lease, so one dispatch runs at a time, and what the
    last one did, for the health page and /health/."""

    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Dispatch finished {self.finished_at}"
