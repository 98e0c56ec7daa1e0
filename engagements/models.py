"""What happens between an MSL and a KOL: touchpoints, follow-ups, gives, asks, the plan."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from common.locking import Versioned
from contacts.models import Interest, Kol, Topic


class Question(models.Model):
    """An open-ended question from the bank. `owner` null: one of the shared defaults."""

    class Purpose(models.TextChoices):
        CHALLENGES = "challenges", "Understanding challenges"
        INFORMATION_GAPS = "information_gaps", "Information gaps"
        RESOURCES = "resources", "Resources that would help"
        GOALS = "goals", "Goals and passions"
        FEEDBACK = "feedback", "Feedback on our work"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        help_text="Empty for the shared defaults; set for an MSL's own questions.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["purpose", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["text"], condition=models.Q(owner=None), name="question_default_unique"
            ),
            models.UniqueConstraint(fields=["owner", "text"], name="question_owner_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Touchpoint(Versioned):
    class Kind(models.TextChoices):
        MEETING = "meeting", "In-person meeting"
        PRACTICE_VISIT = "practice_visit", "Practice visit"
        CONGRESS = "congress", "Congress conversation"
        ADVISORY_BOARD = "advisory_board", "Advisory board"
        INVESTIGATOR_MEETING = "investigator_meeting", "Investigator meeting"
        SPEAKER_TRAINING = "speaker_training", "Speaker training"
        SOCIAL_EVENT = "social_event", "Social event at a meeting"
        VIRTUAL = "virtual", "Virtual meeting"
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        DIGITAL = "digital", "LinkedIn or other digital interaction"
        OTHER = "other", "Other"

    # The one mapping of two-way kinds: conversations create the thank-you follow-up and
    # count as two-way contact for stage suggestions.
    ONE_WAY_KINDS = frozenset({Kind.EMAIL, Kind.DIGITAL, Kind.OTHER})

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="touchpoints")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="touchpoints"
    )
    occurred_at = models.DateTimeField("when", default=timezone.now)
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.MEETING)
    where = models.CharField("where / which event", max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="touchpoints")
    summary = models.TextField(blank=True)
    they_said = models.TextField(
        "what they said", blank=True, help_text="Their words: needs, challenges, opinions."
    )
    feedback = models.TextField("feedback on our work", blank=True)
    is_criticism = models.BooleanField("the feedback is criticism", default=False)
    questions = models.ManyToManyField(Question, blank=True, related_name="touchpoints")
    questions_text = models.TextField("other questions asked", blank=True)
    next_steps = models.TextField(
        "promised next steps", blank=True, help_text="One per line: each becomes a follow-up."
    )
    # One per rendered form: a double submit of the same form creates one touchpoint.
    form_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # Timeline and "last three touchpoints" on the KOL page and prep brief.
            # With the kind, the board's evidence is read from the index alone.
            models.Index(fields=["kol", "-occurred_at", "kind"], name="touchpoint_kol_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.kol} on {self.occurred_at:%Y-%m-%d}"

    @property
    def is_conversation(self) -> bool:
        return self.kind not in self.ONE_WAY_KINDS


class TouchpointInterest(models.Model):
    """An interest the KOL stated, or an assumption they confirmed or refuted, in a touchpoint."""

    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.CASCADE, related_name="interest_links"
    )
    interest = models.ForeignKey(Interest, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(
        max_length=10,
        choices=[("stated", "Stated"), ("confirmed", "Confirmed"), ("refuted", "Refuted")],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "interest"], name="touchpoint_interest_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.interest} in {self.touchpoint}"


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        THANK_YOU = "thank_you", "Thank-you recap"
        PROMISED_RESOURCE = "promised_resource", "Promised resource"
        CHECK_IN = "check_in", "Check-in"
        GIVE = "give", "Give"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    source_touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    # A scheduled check-in: the cadence cycle (the KOL's next check-in date) it was made for.
    # Snoozing moves due_on, never this; a check-in added by hand has none.
    check_in_for = models.DateField(null=True, blank=True, editable=False)
    # The add-form's one-time token: a form sent twice (a double tap, a replay of the queue
    # kept on a phone offline) adds one follow-up. Those the app makes itself have none.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # Today: an owner's open follow-ups by due date (partial: open ones only); the
            # KOL last, so that Today's counts are index-only scans (a key column rather than
            # INCLUDE, which SQLite does not have).
            models.Index(
                fields=["owner", "due_on", "kol"],
                condition=models.Q(status="open"),
                name="followup_owner_open_due",
            ),
            models.Index(fields=["kol", "status", "due_on"], name="followup_kol_status_due"),
            # check_ins_schedule's NOT EXISTS (an open check-in for this KOL) and Today's
            # check-ins: one probe per due KOL, whatever the planner guesses of the rows.
            models.Index(
                fields=["kol"],
                condition=models.Q(kind="check_in", status="open"),
                name="followup_open_check_in",
            ),
        ]
        constraints = [
            # The dispatcher schedules a due check-in once per cadence cycle, however many
            # dispatchers run at once and however it is snoozed: INSERT ... ON CONFLICT DO
            # NOTHING on the cycle, not on the (movable) due date.
            models.UniqueConstraint(
                fields=["kol", "check_in_for"],
                condition=models.Q(kind="check_in", check_in_for__isnull=False),
                name="followup_check_in_cycle_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.kol} by {self.due_on}"


class KolRating(models.TextChoices):
    USEFUL = "useful", "Useful"
    NOT_FOR_ME = "not_for_me", "Not for me"


class Give(Versioned):  # edited by the one who logged it and the KOL's owner
    class Kind(models.TextChoices):
        LITERATURE = "literature", "Literature summary"
        CONGRESS_OVERVIEW = "congress_overview", "Congress overview"
        OPPORTUNITY_TALK = "opportunity_talk", "Opportunity offered: talk"
        OPPORTUNITY_PUBLICATION = "opportunity_publication", "Opportunity offered: publication"
        OPPORTUNITY_ADVISORY = "opportunity_advisory", "Opportunity offered: advisory role"
        OPPORTUNITY_STUDY = "opportunity_study", "Opportunity offered: study"
        RESOURCE = "resource", "Resource"
        INTRODUCTION = "introduction", "Introduction"
        OTHER = "other", "Other"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="gives")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="gives"
    )
    given_on = models.DateField("date", default=timezone.localdate)
    note = models.TextField(blank=True)
    response = models.TextField("their response", blank=True)
    # What the KOL told us themselves through their link (voice/): kept here, on the give,
    # so the ledger and the team overview read it without knowing of the link.
    kol_rating = models.CharField(
        "their rating", max_length=12, choices=KolRating.choices, blank=True
    )
    kol_rating_comment = models.TextField("their comment on it", blank=True)
    kol_rated_on = models.DateField("rated on", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [
            models.Index(fields=["kol", "-given_on"], name="give_kol_recent"),
            # The team overview counts a team's gives of the last 90 days: an index-only
            # range scan instead of reading the whole table (7 -> 3.8 ms at 10,000 KOLs).
            models.Index(fields=["given_on", "kol"], name="give_day_kol"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.kol}"


class Ask(Versioned):
    class Kind(models.TextChoices):
        ADVISORY_BOARD = "advisory_board", "Advisory board"
        SPEAKING = "speaking", "Speaking"
        PRODUCT_FEEDBACK = "product_feedback", "Feedback on a product in development"
        STUDY = "study", "Study participation"
        OTHER = "other", "Other"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="asks")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_it_for_kol = models.TextField("what is in it for the KOL")
    asked_on = models.DateField("date", default=timezone.localdate)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_on", "-pk"]
        indexes = [
            models.Index(fields=["kol", "-asked_on"], name="ask_kol_recent"),
            models.Index(fields=["asked_on", "kol"], name="ask_day_kol"),  # as give_day_kol
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} asked of {self.kol}"


class EngagementPlan(Versioned):
    kol = models.OneToOneField(Kol, on_delete=models.CASCADE, related_name="engagement_plan")
    objectives = models.TextField("objectives and expectations", blank=True)
    built_with_kol = models.BooleanField("built with the KOL's input", default=False)
    kol_input = models.TextField("what they said about it", blank=True)
    who_interacts = models.TextField(
        "who in our organisation interacts with them, and in what role", blank=True
    )
    outcome_measures = models.TextField("how outcomes are measured", blank=True)
    next_review_on = models.DateField("next review", null=True, blank=True)
    # The KOL's own comment or suggestion, sent through their link (voice/), with its date.
    kol_comment = models.TextField("their comment through their link", blank=True)
    kol_commented_on = models.DateField("commented on", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Engagement plan for {self.kol}"
