import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
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

    @property
    def check_in_overdue(self) -> bool:
        return self.check_in_status in {CheckInStatus.OVERDUE, CheckInStatus.LONG_OVERDUE}


STAGE_CADENCE_DAYS = {
    Stage.ESTABLISHING: 30,
    Stage.DEVELOPING: 60,
    Stage.MAINTAINING: 90,
}
DUE_SOON_DAYS = 7


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
    the list's "due" filter and the scheduler all ask this)."""
    return models.Q(next_check_in_on__lte=day)


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


class Provenance(models.TextChoices):
    STATED = "stated", "Stated by the KOL"
    ASSUMED = "assumed", "Assumed by us"


class AssumptionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Confirmed"
    REFUTED = "refuted", "Refuted"


class ProvenanceMixin(models.Model):
    """Ask, don't assume: what the KOL told us differs from what we guessed.

    Interests and goals are edited inline by more than one person (the owner, the
    collaborator who added an interest): `version` goes up on every save, and an edit made
    from an older version is refused (contacts.services.ItemConflict), never overwritten."""

    version = models.PositiveIntegerField(default=1)
    provenance = models.CharField(
        max_length=8, choices=Provenance.choices, default=Provenance.STATED
    )
    stated_on = models.DateField(
        null=True, blank=True, help_text="When they told us (or when we confirmed it)."
    )
    assumption_status = models.CharField(
        max_length=10, choices=AssumptionStatus.choices, blank=True
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def counts_as_stated(self) -> bool:
        """A confirmed assumption counts as stated from then on."""
        return self.provenance == Provenance.STATED or (
            self.assumption_status == AssumptionStatus.CONFIRMED
        )

    @property
    def provenance_label(self) -> str:
        if self.provenance == Provenance.STATED:
            return "Stated"
        return {
            AssumptionStatus.CONFIRMED: "Assumed, confirmed",
            AssumptionStatus.REFUTED: "Assumed, refuted",
        }.get(self.assumption_status, "Assumed")


class Interest(ProvenanceMixin):
    class Kind(models.TextChoices):
        RESEARCH = "research", "Research / investigator-initiated studies"
        CLINICAL_TRIALS = "clinical_trials", "Clinical trials"
        SPEAKING = "speaking", "Speaking"
        PUBLICATIONS = "publications", "Publications and writing"
        EDUCATION = "education", "Educating fellows and physicians"
        CONTENT = "content", "Content creation"
        ADVISORY = "advisory", "Advisory work"
        DIGITAL = "digital", "Digital"
        DISEASE_AREA = "disease_area", "A disease area"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="interests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="interests"
    )
    note = models.CharField(max_length=300, blank=True)
    give_cadence_days = models.PositiveSmallIntegerField(
        "literature summaries",
        null=True,
        blank=True,
        choices=[(14, "Every two weeks"), (30, "Monthly")],
        help_text="Nudge me when no give on this topic was logged within this time.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provenance", "kind", "pk"]
        indexes = [models.Index(fields=["kol", "kind"], name="interest_kol_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic.name}" if self.topic else self.kind


class Goal(ProvenanceMixin):
    class Whose(models.TextChoices):
        KOL = "kol", "The KOL's own"
        OURS = "ours", "Ours, for this relationship"

    class Area(models.TextChoices):
        MEDICAL = "medical", "Medical"
        COMMERCIAL = "commercial", "Commercial"
        PROFESSIONAL = "professional", "Professional"
        PERSONAL = "personal", "Personal"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROGRESSING = "progressing", "Progressing"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    kol = models.ForeignKey(Kol, on_delete=models.CASCADE, related_name="goals")
    whose = models.CharField(max_length=8, choices=Whose.choices)
    area = models.CharField(max_length=16, choices=Area.choices)
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    in_it_for_kol = models.TextField(
        "what is in it for the KOL", blank=True, help_text="Required for our goals."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["whose", "pk"]
        indexes = [models.Index(fields=["kol", "whose"], name="goal_kol_whose")]

    def __str__(self) -> str:
        return self.text[:60]


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

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        # The KOL page's History panel: newest entries of one KOL.
        indexes = [models.Index(fields=["kol", "-at"], name="audit_kol_recent")]

    def __str__(self) -> str:
        return (
            f"{self.actor} {self.action} {self.subject} of {self.kol} at {self.at:%Y-%m-%d %H:%M}"
        )


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
