"""A manager's review of where a relationship stands. Reviews are kept, never edited."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models import Kol, Stage


class StageReview(models.Model):
    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree with the stage"
        SUGGEST = "suggest", "Suggest another stage"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="stage_reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stage_reviews"
    )
    at = models.DateTimeField(default=timezone.now)
    stage_at_review = models.CharField(max_length=16, choices=Stage.choices)
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    suggested_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    comment = models.TextField("comment for the MSL", blank=True)
    # The MSL has seen it (on the KOL page or in their digest).
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The KOL page's review panel and history: newest reviews of one KOL.
            models.Index(fields=["kol", "-at"], name="stagereview_kol_recent"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.kol} by {self.reviewer} on {self.at:%Y-%m-%d}"
