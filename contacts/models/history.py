"""What happened to a KOL's record: stage changes and the History of every write."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models.kols import Kol, Stage


class StageChange(models.Model):
    """Every stage change, with who, when and why. The first row records the starting stage."""

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["kol", "-changed_at"], name="stagechange_kol_recent")]

    def __str__(self) -> str:
        return f"{self.kol}: {self.from_stage or 'new'} → {self.to_stage}"

    @property
    def is_backward(self) -> bool:
        return bool(self.from_stage) and Stage.rank(self.to_stage) < Stage.rank(self.from_stage)


class AuditEntry(models.Model):
    """Who created, changed or deleted what about a KOL, and when: the KOL page's History.
    Shared records about no KOL (events, opportunities) have no kol: their detail pages show
    theirs.

    Written by the services (contacts.audit.record), never by signals or save().
    """

    class Action(models.TextChoices):
        CREATED = "created", "created"
        CHANGED = "changed", "changed"
        DELETED = "deleted", "deleted"
        MERGED = "merged", "merged"
        ERASED = "erased", "erased"

    kol = models.ForeignKey(
        Kol, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=8, choices=Action.choices)
    subject = models.CharField(max_length=32, help_text="What was touched, e.g. 'touchpoint'.")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")

    # What the KOL told us themselves (voice/: their personal link): no actor of ours, and a
    # summary that says who spoke.
    FROM_THE_KOL = "answer from the KOL"

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        # The KOL page's History panel: newest entries of one KOL.
        indexes = [models.Index(fields=["kol", "-at"], name="audit_kol_recent")]

    def __str__(self) -> str:
        return (
            f"{self.actor} {self.action} {self.subject} of {self.kol} at {self.at:%Y-%m-%d %H:%M}"
        )

    @property
    def from_the_kol(self) -> bool:
        return self.actor_id is None and self.subject == self.FROM_THE_KOL
