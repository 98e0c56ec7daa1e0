"""A manager's review of where a relationship stands (kept, never edited); team invitations."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Membership, Team
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


class Invitation(models.Model):
    """An invitation to join a team. Nothing is granted until the person accepts: the
    membership is created then. Revoking it, or removing the person, kills its link."""

    VALID_FOR = datetime.timedelta(days=7)

    class State(models.TextChoices):
        PENDING = "pending", "waiting for an answer"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"
        REVOKED = "revoked", "revoked"
        EXPIRED = "expired", "expired"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    # The account it is for: a new email gets an inactive account at once (no password).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(help_text="Where the invitation was sent.")
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open invitation per person and team: inviting again replaces it.
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(
                    accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
                ),
                name="invitation_one_open_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team} as {self.get_role_display()}"

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + self.VALID_FOR

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.declined_at:
            return self.State.DECLINED
        if self.revoked_at:
            return self.State.REVOKED
        if (now or timezone.now()) >= self.expires_at:
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state() == self.State.PENDING
