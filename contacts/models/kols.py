"""The KOL, the vocabulary they are filed under, their check-in clock and collaborators."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone


class TherapeuticArea(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """An entry of the shared vocabulary that interests, gives, events are matched on."""

    area = models.ForeignKey(TherapeuticArea, on_delete=models.PROTECT, related_name="topics")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "area", name="topic_unique_name_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area.name})"


class Stage(models.TextChoices):
    ESTABLISHING = "establishing", "Establishing"
    DEVELOPING = "developing", "Developing"
    MAINTAINING = "maintaining", "Maintaining"

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class Kol(models.Model):
    """The person we build a relationship with. Pages lead with the person, not counts."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        LINKEDIN = "linkedin", "LinkedIn"

    name = models.CharField(max_length=200)
    credentials = models.CharField(
        "credentials / title", max_length=120, blank=True, help_text="e.g. MD, PhD, Professor"
    )
    specialty = models.CharField(max_length=120, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    profile_url = models.URLField("profile URL", blank=True, help_text="e.g. LinkedIn")
    therapeutic_areas = models.ManyToManyField(TherapeuticArea, blank=True, related_name="kols")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_kols"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Collaborator",
        related_name="collaborating_kols",
        blank=True,
    )
    from_where = models.CharField("where they are from", max_length=200, blank=True)
    trained_at = models.CharField("where they trained", max_length=300, blank=True)
    passions = models.TextField("passions and hobbies", blank=True)
    preferred_channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        "check-in cadence (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="How often you mean to check in. Empty: by stage (establishing 30, "
        "developing 60, maintaining 90 days).",
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.ESTABLISHING)
    is_archived = models.BooleanField("archived", default=False)
    email_consent = models.BooleanField(
        "agreed to be contacted by email",
        default=False,
        help_text="Record it only when they said yes.",
    )
    email_consent_on = models.DateField("email consent given on", null=True, blank=True)
    # Set when the person's data was erased on request: the row stays for team counts.
    erased_at = models.DateTimeField(null=True, blank=True)
    # Kept by the services that log touchpoints and gives; the list filters and sorts on it.
    last_interaction_at = models.DateTimeField(null=True, blank=True)
    # last interaction (or the day the KOL was added) + cadence; kept by refresh_check_in().
    next_check_in_on = models.DateField(null=True, blank=True)
    # Optimistic concurrency: every write bumps it; a stale form's version no longer matches.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "KOL"
        verbose_name_plural = "KOLs"
        indexes = [
            # kols_for_user + the KOL list: owner's active KOLs sorted by name.
            models.Index(fields=["owner", "is_archived", "name"], name="kol_owner_active_name"),
            # Today and the list's "check-in due" / "overdue" filters.
            models.Index(fields=["owner", "next_check_in_on"], name="kol_owner_check_in"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def cadence(self) -> int:
        """Days between check-ins: the KOL's own cadence, else the stage's default."""
        return self.cadence_days or STAGE_CADENCE_DAYS[self.stage]

    @property
    def check_in_since(self) -> datetime.date:
        """The owner's local date of the last interaction (or of the KOL's creation): the
        cadence counts in the owner's days, as their reminders do."""
        since = self.last_interaction_at or self.created_at
        return since.astimezone(self.owner.zone).date()

    def compute_next_check_in(self) -> datetime.date:
        return self.check_in_since + datetime.timedelta(days=self.cadence)

    @property
    def next_check_in(self) -> datetime.date:
        return self.next_check_in_on or self.compute_next_check_in()

    @property
    def check_in_status(self) -> "CheckInStatus":
        """As of the active time zone's today (the signed-in user's, in a request)."""
        return CheckInStatus.of(self, today=timezone.localdate())


STAGE_CADENCE_DAYS = {
    Stage.ESTABLISHING: 30,
    Stage.DEVELOPING: 60,
    Stage.MAINTAINING: 90,
}
DUE_SOON_DAYS = 7


def cadence_of_row() -> models.Func:
    """Kol.cadence as SQL, for set-based reads: the KOL's own cadence, else its stage's."""
    by_stage = [models.When(stage=stage, then=days) for stage, days in STAGE_CADENCE_DAYS.items()]
    return Coalesce("cadence_days", models.Case(*by_stage, output_field=models.IntegerField()))


class CheckInStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    LONG_OVERDUE = "long_overdue", "Long overdue"

    @classmethod
    def of(cls, kol: "Kol", *, today: datetime.date) -> "CheckInStatus":
        """The one rule of a KOL's check-in state; CheckInStatus.due_by gives its query form."""
        due = kol.next_check_in
        # Long overdue: half a cadence past due (one and a half since the last interaction).
        if today > due + datetime.timedelta(days=kol.cadence * 0.5):
            return cls.LONG_OVERDUE
        if today > due:
            return cls.OVERDUE
        if (due - today).days <= DUE_SOON_DAYS:
            return cls.DUE_SOON
        return cls.ON_TRACK

    @classmethod
    def window(cls, status: str, today: datetime.date) -> models.Q:
        """The KOLs that can have `status` on `today`, as a query on the stored next check-in
        (`of` confirms long overdue; a KOL never refreshed has no stored date and is checked
        by `of` alone)."""
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        window = {
            cls.ON_TRACK: models.Q(next_check_in_on__gt=soon),
            cls.DUE_SOON: models.Q(next_check_in_on__gte=today, next_check_in_on__lte=soon),
            cls.OVERDUE: models.Q(next_check_in_on__lt=today),
            cls.LONG_OVERDUE: models.Q(next_check_in_on__lt=today),
        }[status]
        return window | models.Q(next_check_in_on__isnull=True)


def check_in_due_by(day: datetime.date) -> models.Q:
    """KOLs whose check-in is due on or before `day` (Today's "this week", the feed's month,
    the list's "due" filter and the scheduler all ask this). is_check_in_due is the same
    rule for a row already read; tests/contacts/test_check_in_rule.py holds them together."""
    return models.Q(next_check_in_on__lte=day)


def is_check_in_due(kol: Kol, day: datetime.date) -> bool:
    """check_in_due_by for one KOL in hand (a list already read: Today's "due now")."""
    return kol.next_check_in_on is not None and kol.next_check_in_on <= day


class Collaborator(models.Model):
    """Another colleague who interacts with this KOL; they may view and log, not edit."""

    class Role(models.TextChoices):
        MSL = "msl", "Co-MSL"
        MEDICAL_DIRECTOR = "medical_director", "Medical director"
        CLINICAL_OPERATIONS = "clinical_operations", "Clinical operations"
        MEDICAL_INFORMATION = "medical_information", "Medical information"
        OTHER = "other", "Other"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="collaborations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaborations"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.MSL)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__display_name"]
        constraints = [models.UniqueConstraint(fields=["kol", "user"], name="collaborator_unique")]
        # kols_for_user: "KOLs this user collaborates on" looks up by user.
        indexes = [models.Index(fields=["user", "kol"], name="collaborator_user_kol")]

    def __str__(self) -> str:
        return f"{self.user} on {self.kol} ({self.get_role_display()})"
