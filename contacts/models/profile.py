"""What a KOL cares about and aims for, and whether they told us or we assumed it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models.kols import Kol, Topic


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
