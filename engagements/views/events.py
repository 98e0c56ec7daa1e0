"""The detail pages of events and opportunities (events, below, has their lists and forms):
they join them with gives, who to send a congress overview and which give an opportunity is.
kolcrm/urls.py mounts these under the events namespace with events.urls.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts.selectors import shared_history
from engagements.selectors import events as joins
from events import selectors


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event(pk)
    today = timezone.localdate()
    ended = selectors.event_has_ended(event, today=today)
    context = {
        "event": event,
        "ended": ended,
        "today": today,
        "attendees": selectors.event_attendees_for_user(event, request.user),
        "suggestions": joins.overview_suggestions(event, request.user) if ended else None,
        "can_edit": selectors.may_change(request.user, event),
        "history_entries": shared_history("event", event.pk),
    }
    return render(request, "events/event_detail.html", context)


@require_GET
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity(pk)
    today = timezone.localdate()
    context = {
        "opportunity": opportunity,
        "is_open": opportunity.deadline is None or opportunity.deadline >= today,
        "matches": selectors.opportunity_matches(opportunity, request.user),
        "give_kind": joins.GIVE_KIND_FOR_OPPORTUNITY[opportunity.kind].label,
        "give_kind_value": joins.GIVE_KIND_FOR_OPPORTUNITY[opportunity.kind].value,
        "can_edit": selectors.may_change(request.user, opportunity),
        "history_entries": shared_history("opportunity", opportunity.pk),
    }
    return render(request, "events/opportunity_detail.html", context)


urlpatterns = [
    path("events/<int:pk>/", event_detail, name="event_detail"),
    path("opportunities/<int:pk>/", opportunity_detail, name="opportunity_detail"),
]
