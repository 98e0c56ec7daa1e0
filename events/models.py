"""Events (congresses, meetings) and opportunities we could offer a KOL: shared by everyone
signed in, they need only contacts and accounts. What joins them with gives (who to send a
congress overview, which give an opportunity is) lives in engagements, above.

The tables keep the names engagements gave them (engagements 0003): the move was state only.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from contacts.models import Kol, TherapeuticArea, Topic


class Event(models.Model):
    """A congress or meeting; after it ends, KOLs who care about its topics and missed it
    are suggested for a congress overview."""

    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    areas = models.ManyToManyField(
        TherapeuticArea, blank=True, related_name="events", db_table="engagements_event_areas"
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="events", db_table="engagements_event_topics"
    )
    attendees = models.ManyToManyField(
        Kol, blank=True, related_name="events_attended", db_table="engagements_event_attendees"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "engagements_event"  # created by engagements 0003; moved in state only
        ordering = ["-starts_on", "name"]
        indexes = [models.Index(fields=["ends_on"], name="event_ends_on")]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%b %Y})"


class Opportunity(models.Model):
    """Something we could offer a qualified KOL who has said they are interested."""

    class Kind(models.TextChoices):
        SPEAKING = "speaking", "Speaking slot"
        PUBLICATION = "publication", "Publication"
        ADVISORY = "advisory", "Advisory role"
        STUDY = "study", "Study"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="opportunities",
        db_table="engagements_opportunity_topics",
    )
    deadline = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "engagements_opportunity"  # as Event's
        ordering = ["deadline", "title"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title
