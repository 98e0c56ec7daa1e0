"""The private calendar feed (public, by secret link) and getting or replacing that link."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from reminders import calendar

SECTION = "calendar-feed"


def _back_to_preferences() -> HttpResponse:
    return redirect(reverse("preferences") + f"#{SECTION}")


@require_POST
def calendar_link_create(request: HttpRequest) -> HttpResponse:
    if calendar.calendar_link_create(user=request.user):
        messages.success(request, "Your calendar link is ready: add it to your calendar app.")
    else:
        messages.info(request, "You already have a calendar link: it is below.")
    return _back_to_preferences()


@require_POST
def calendar_link_replace(request: HttpRequest) -> HttpResponse:
    calendar.calendar_link_replace(user=request.user)
    messages.success(
        request,
        "Here is your new calendar link. The old one no longer works: "
        "update your calendar app with the new one.",
    )
    return _back_to_preferences()


# Public: the secret in the address is what authorises the read. GET (and HEAD, which some
# calendar apps send first) only, so no CSRF token is involved.
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar.user_for_token(token)
    if user is None:
        return render(request, "reminders/link_invalid.html", status=404)
    response = HttpResponse(calendar.build_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kolcrm.ics"'
    # It names KOLs: no shared cache may keep it, and it must always be fresh.
    response["Cache-Control"] = "private, no-store"
    return response
