"""Events (congresses, meetings) and opportunities: list, create, edit. Their detail pages
join them with gives (engagements.views.events); events.urls names them all.

Anyone signed in sees and creates them; the creator or a staff user edits. The KOLs on
these pages are only ever those the user may see.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from common.rendering import INVALID, render_page_or_part
from events import selectors, services
from events.forms import EventFilter, EventForm, OpportunityForm
from events.models import Event, Opportunity

PAGE_SIZE = 50


def _require_change(request: HttpRequest, obj: Event | Opportunity, what: str) -> None:
    if not selectors.may_change(request.user, obj):
        raise PermissionDenied(f"Only the person who added this {what}, or an admin, can edit it.")


# Events --------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    event_filter = EventFilter(request.GET, queryset=selectors.event_rows())
    rows = event_filter.qs if event_filter.is_valid() else event_filter.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": event_filter,
        "page": page,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render_page_or_part(request, "events/event_list.html", "results", context)


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = services.event_create(by=request.user, data=form.cleaned_data)
        messages.success(request, f"{event.name} added.")
        return redirect("events:event_detail", pk=event.pk)
    status = INVALID if form.is_bound else 200
    return render(request, "events/event_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event(pk)
    _require_change(request, event, "event")
    # Before validating: a bound ModelForm changes the instance in memory.
    context = {"event": event, "saved_name": event.name}
    form = EventForm(
        request.POST if request.method == "POST" else None, instance=event, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.event_update(event=event, by=request.user, data=form.cleaned_data)
        messages.success(request, "Event saved.")
        return redirect("events:event_detail", pk=event.pk)
    status = INVALID if form.is_bound else 200
    context["form"] = form
    return render(request, "events/event_form.html", context, status=status)


# Opportunities -------------------------------------------------------------------------


@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "open_opportunities": selectors.open_opportunities(today=today),
        "past_opportunities": selectors.past_opportunities(today=today),
        "today": today,
    }
    return render(request, "events/opportunity_list.html", context)


@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        opportunity = services.opportunity_create(by=request.user, data=form.cleaned_data)
        messages.success(request, f"{opportunity.title} added. See who it fits below.")
        return redirect("events:opportunity_detail", pk=opportunity.pk)
    status = INVALID if form.is_bound else 200
    return render(request, "events/opportunity_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.get_opportunity(pk)
    _require_change(request, opportunity, "opportunity")
    # Before validating: a bound ModelForm changes the instance in memory.
    context = {"opportunity": opportunity, "saved_title": opportunity.title}
    form = OpportunityForm(request.POST if request.method == "POST" else None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        services.opportunity_update(
            opportunity=opportunity, data=form.cleaned_data, by=request.user
        )
        messages.success(request, "Opportunity saved.")
        return redirect("events:opportunity_detail", pk=opportunity.pk)
    status = INVALID if form.is_bound else 200
    context["form"] = form
    return render(request, "events/opportunity_form.html", context, status=status)
