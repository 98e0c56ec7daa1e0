from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.forms import PreferencesForm
from common.emails import absolute


def _calendar_feed_url(user) -> str:
    """The private feed's address to paste into a calendar app, or "" when there is none."""
    if not user.calendar_token:
        return ""
    return absolute(reverse("calendar_feed", kwargs={"token": user.calendar_token}))


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    # The page shows the reminders app's calendar link by URL name: no import upwards.
    context = {"form": form, "calendar_feed_url": _calendar_feed_url(request.user)}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Preferences saved.")
            return redirect("preferences")
        return render(request, "accounts/preferences.html", context, status=422)
    return render(request, "accounts/preferences.html", context)
