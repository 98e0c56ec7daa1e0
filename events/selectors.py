"""Reads for events (congresses, meetings) and opportunities we could offer a KOL.

Events and opportunities are shared by everyone signed in; the KOLs on their pages are
only ever those the user may see (contacts.selectors.kols_for_user). What joins them with
gives is engagements.selectors.events.
"""

import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from contacts.models import AssumptionStatus, Interest, Kol, Provenance, Topic
from contacts.selectors import kols_for_user
from events.models import Event, Opportunity

# An interest the KOL told us, or an assumption they confirmed.
STATED = Q(provenance=Provenance.STATED) | Q(assumption_status=AssumptionStatus.CONFIRMED)

# Which stated interests make a KOL a candidate for each kind of opportunity.
INTEREST_KINDS_FOR_OPPORTUNITY = {
    Opportunity.Kind.SPEAKING: [Interest.Kind.SPEAKING],
    Opportunity.Kind.PUBLICATION: [Interest.Kind.PUBLICATIONS, Interest.Kind.CONTENT],
    Opportunity.Kind.ADVISORY: [Interest.Kind.ADVISORY],
    Opportunity.Kind.STUDY: [Interest.Kind.RESEARCH, Interest.Kind.CLINICAL_TRIALS],
}


def may_change(user: User, obj: Event | Opportunity) -> bool:
    """The creator or a staff user edits an event or an opportunity."""
    return user.is_staff or (obj.created_by_id is not None and obj.created_by_id == user.pk)


# Events --------------------------------------------------------------------------------


def event_rows() -> QuerySet[Event]:
    """The events list, newest first (one query for the page)."""
    return Event.objects.order_by("-starts_on", "name", "pk")


def get_event(pk: int) -> Event:
    return get_object_or_404(
        Event.objects.select_related("created_by").prefetch_related(
            "areas", Prefetch("topics", queryset=Topic.objects.select_related("area"))
        ),
        pk=pk,
    )


def event_attendees_for_user(event: Event, user: User) -> QuerySet[Kol]:
    """The attendees `user` may see; the others stay off their pages."""
    return event.attendees.filter(pk__in=kols_for_user(user, archived=None).values("pk")).order_by(
        "name", "pk"
    )


def attendee_choices(user: User, event: Event | None = None) -> QuerySet[Kol]:
    """KOLs `user` may mark as attending: their active ones, and any they see already there."""
    visible = kols_for_user(user, archived=None)
    chosen = Q(is_archived=False)
    if event is not None and event.pk:
        chosen |= Q(pk__in=event.attendees.values("pk"))
    return visible.filter(chosen).order_by("name", "pk")


def event_has_ended(event: Event, *, today: datetime.date) -> bool:
    return event.ends_on < today


# Opportunities -------------------------------------------------------------------------


def open_opportunities(*, today: datetime.date) -> QuerySet[Opportunity]:
    """Deadline today or later, or none: the soonest deadline first, open-ended ones last."""
    return (
        Opportunity.objects.filter(Q(deadline__gte=today) | Q(deadline__isnull=True))
        .prefetch_related("topics")
        .order_by(F("deadline").asc(nulls_last=True), "title", "pk")
    )


def past_opportunities(*, today: datetime.date) -> QuerySet[Opportunity]:
    """Deadline passed: the most recent first."""
    return (
        Opportunity.objects.filter(deadline__lt=today)
        .prefetch_related("topics")
        .order_by("-deadline", "title", "pk")
    )


def get_opportunity(pk: int) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.select_related("created_by").prefetch_related(
            Prefetch("topics", queryset=Topic.objects.select_related("area"))
        ),
        pk=pk,
    )


def opportunity_matches(opportunity: Opportunity, user: User) -> QuerySet[Kol]:
    """Active KOLs `user` may see whose stated interests fit the opportunity: the interest's
    kind fits the opportunity's kind and, when the opportunity has topics, its topic is one
    of them. Each carries `matching_interests`. Two queries whatever the number of KOLs.
    """
    matching = Interest.objects.filter(
        STATED, kind__in=INTEREST_KINDS_FOR_OPPORTUNITY[opportunity.kind]
    )
    topic_ids = [topic.pk for topic in opportunity.topics.all()]
    if topic_ids:
        matching = matching.filter(topic_id__in=topic_ids)
    return (
        kols_for_user(user)
        .filter(Exists(matching.filter(kol=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=matching.select_related("topic").order_by("kind", "pk"),
                to_attr="matching_interests",
            )
        )
        .order_by("name", "pk")
    )
