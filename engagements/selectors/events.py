"""What joins events and opportunities (events, below) with gives: who to send a congress
overview after an event, and which give an opportunity is when offered. Read by the events'
and opportunities' detail pages (engagements.views.events)."""

from django.db.models import Exists, F, Max, OuterRef, Prefetch, QuerySet, Subquery

from accounts.models import User
from contacts.models import Interest, Kol
from contacts.selectors import kols_for_user
from engagements.models import Give
from events.models import Event, Opportunity
from events.selectors import STATED

# The ledger kind to log when the opportunity is offered.
GIVE_KIND_FOR_OPPORTUNITY = {
    Opportunity.Kind.SPEAKING: Give.Kind.OPPORTUNITY_TALK,
    Opportunity.Kind.PUBLICATION: Give.Kind.OPPORTUNITY_PUBLICATION,
    Opportunity.Kind.ADVISORY: Give.Kind.OPPORTUNITY_ADVISORY,
    Opportunity.Kind.STUDY: Give.Kind.OPPORTUNITY_STUDY,
}


def overview_suggestions(event: Event, user: User) -> QuerySet[Kol]:
    """Active KOLs `user` may see who told us they care about one of the event's topics and
    did not attend: candidates for a congress overview.

    Each carries `matching_interests` (the stated interests on the event's topics) and
    `overview_given_on` (their latest congress overview since the event ended, or None).
    Three queries whatever the number of KOLs.
    """
    event_topics = event.topics.values("pk")
    matching = Interest.objects.filter(STATED, topic__in=event_topics)
    overview = (
        Give.objects.filter(
            kol=OuterRef("pk"), kind=Give.Kind.CONGRESS_OVERVIEW, given_on__gte=event.ends_on
        )
        .values("kol")
        .annotate(last=Max("given_on"))
        .values("last")
    )
    return (
        kols_for_user(user)
        .filter(Exists(matching.filter(kol=OuterRef("pk"))))
        .exclude(pk__in=event.attendees.values("pk"))
        .annotate(overview_given_on=Subquery(overview))
        .prefetch_related(
            Prefetch(
                "interests",
                queryset=matching.select_related("topic").order_by("topic__name", "pk"),
                to_attr="matching_interests",
            )
        )
        .order_by(F("overview_given_on").asc(nulls_first=True), "name", "pk")
    )
