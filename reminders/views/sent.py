"""Sent reminders, "send me my digest now", and the unsubscribe link (public, signed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reminders import services
from reminders.models import Reminder
from reminders.sending import NOTHING_DUE
from reminders.tokens import (
    UNSUBSCRIBE_FIELDS,
    InvalidLink,
    email_links_revoke,
    read_unsubscribe_token,
)


@require_GET
def sent_reminders(request: HttpRequest) -> HttpResponse:
    # A day with nothing due sent nothing: no row to show for it.
    rows = (
        Reminder.objects.filter(recipient=request.user)
        .exclude(status=Reminder.Status.SKIPPED, reason=NOTHING_DUE)
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reminders/sent_reminders.html", {"page": page})


@require_POST
def digest_now(request: HttpRequest) -> HttpResponse:
    outcome, _ = services.digest_now(user=request.user)
    if outcome == "queued":
        messages.success(request, "Your digest is on its way. It lists what is due right now.")
    elif outcome == "empty":
        messages.info(request, "Nothing is due right now, so there is no digest to send.")
    else:
        messages.info(request, "A digest was sent in the last few minutes: try again shortly.")
    return redirect("sent_reminders")


@require_POST
def email_links_stop(request: HttpRequest) -> HttpResponse:
    email_links_revoke(user=request.user)
    messages.success(
        request,
        "Links in emails we sent you before now no longer work (newer emails have new ones).",
    )
    return redirect(reverse("preferences") + "#email-links")


# Public: the only views exempt from CSRF, because a mail client's one-click POST
# (RFC 8058) carries no token; the signed token is what authorises the change.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, kind = read_unsubscribe_token(token)
    except InvalidLink:
        return render(request, "reminders/link_invalid.html", status=400)
    field, label = UNSUBSCRIBE_FIELDS[kind]
    context = {"person": user, "what": label}
    if request.method == "GET":
        # Mail scanners prefetch links: a GET only asks.
        return render(request, "reminders/unsubscribe.html", context)
    if getattr(user, field):
        setattr(user, field, False)
        user.save(update_fields=[field])
    # What was already waiting stops now too (the send would skip it anyway).
    services.skip_pending(user=user, kind=kind, reason="You unsubscribed from this email.")
    return render(request, "reminders/unsubscribed.html", context)
