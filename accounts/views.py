import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import PreferencesForm
from accounts.models import PasswordResetRequest
from common.clients import client_address
from common.emails import absolute


def _calendar_feed_url(user) -> str:
    """The private feed's address to paste into a calendar app, or "" when there is none."""
    if not user.calendar_token:
        return ""
    return absolute(reverse("calendar_feed", kwargs={"token": user.calendar_token}))


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, instance=request.user
    )
    # The page shows the reminders app's calendar link by URL name: no import upwards.
    context = {"form": form, "calendar_feed_url": _calendar_feed_url(request.user)}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Preferences saved.")
            return redirect("preferences")
        return render(request, "accounts/preferences.html", context, status=422)
    return render(request, "accounts/preferences.html", context)


THROTTLED_TEMPLATE = "registration/password_reset_throttled.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, with limits: a few emails an hour to one address (whoever asks), and
    a few more from one client (whatever addresses it tries). Over the address's limit the
    answer is the usual "sent" page and no email, so it tells nobody anything; over the
    client's, a "too many requests" page (429)."""

    http_method_names = ["get", "post", "head", "options"]

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        client = client_address(self.request)[:64]
        now = timezone.now()
        hour_ago = now - datetime.timedelta(hours=1)
        with transaction.atomic():
            PasswordResetRequest.objects.filter(at__lt=hour_ago).delete()
            by_client = PasswordResetRequest.objects.filter(client=client, at__gte=hour_ago)
            if by_client.count() >= settings.PASSWORD_RESETS_PER_CLIENT_HOUR:
                return render(
                    self.request, "registration/password_reset_throttled.html", status=429
                )
            by_email = PasswordResetRequest.objects.filter(email=email, at__gte=hour_ago)
            over_for_address = by_email.count() >= settings.PASSWORD_RESETS_PER_EMAIL_HOUR
            PasswordResetRequest.objects.create(email=email, client=client, at=now)
        if over_for_address:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
