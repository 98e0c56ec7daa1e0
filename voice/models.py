"""The KOL's own voice: a personal link (one row per link, its state) and what they told
us through the survey. Their plan comment and their give ratings live on the plan and the
gives (engagements), which show them."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models import Kol, Topic
from engagements.models import FollowUp, Give


class VoiceLink(models.Model):
    """A personal link for one KOL, with the parts the MSL chose. The signed token in the
    address names this row; the row says whether it still works (voice.tokens)."""

    class State(models.TextChoices):
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened"
        ANSWERED = "answered", "Answered"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="voice_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ask_interests = models.BooleanField("what matters to you", default=False)
    share_plan = models.BooleanField("our plan together", default=False)
    gives = models.ManyToManyField(Give, blank=True, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The "read what they told us" follow-up: a second answer reuses it while it is open.
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The KOL page's panel: a KOL's links, newest first.
        indexes = [models.Index(fields=["kol", "-created_at"], name="voicelink_kol_recent")]

    def __str__(self) -> str:
        return f"Link for {self.kol} of {self.created_at:%Y-%m-%d}"

    def state(self, *, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return self.State.REVOKED
        if now >= self.expires_at:
            return self.State.EXPIRED
        if self.answered_at:
            return self.State.ANSWERED
        if self.opened_at:
            return self.State.OPENED
        return self.State.SENT

    def get_state_display(self) -> str:
        return self.State(self.state()).label


class SurveyAnswer(models.Model):
    """ "What matters to you", in the KOL's own words: stated by them, never merged into what
    the MSL recorded (the KOL page shows both, side by side)."""

    link = models.OneToOneField(VoiceLink, on_delete=models.CASCADE, related_name="survey")
    # Named, so that merging two records of the KOL moves their answers with their links.
    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="survey_answers")
    interest_kinds = models.JSONField(default=list, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    goals = models.TextField("their goals, in their words", blank=True)
    answered_on = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-answered_on", "-pk"]

    def __str__(self) -> str:
        return f"Survey answer of {self.kol} on {self.answered_on}"
