"""Sent reminders, "send me my digest now", and the unsubscribe link (public, signed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.models import Reminder
from engagements.services import reminders as services
from engagements.tokens import UNSUBSCRIBE_FIELDS, InvalidLink, read_unsubscribe_token


@require_GET
def sent_reminders(request: HttpRequest) -> HttpResponse:
    rows = Reminder.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "engagements/sent_reminders.html", {"page": page})


@require_POST
def digest_now(request: HttpRequest) -> HttpResponse:
    if services.digest_now(user=request.user):
        messages.success(request, "Your digest is on its way. It lists what is due right now.")
    else:
        messages.info(request, "A digest was sent in the last few minutes: try again shortly.")
    return redirect("sent_reminders")


# Public: the only views exempt from CSRF, because a mail client's one-click POST
# (RFC 8058) carries no token; the signed token is what authorises the change.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, kind = read_unsubscribe_token(token)
    except InvalidLink:
        return render(request, "engagements/link_invalid.html", status=400)
    field, label = UNSUBSCRIBE_FIELDS[kind]
    context = {"person": user, "what": label}
    if request.method == "GET":
        # Mail scanners prefetch links: a GET only asks.
        return render(request, "engagements/unsubscribe.html", context)
    if getattr(user, field):
        setattr(user, field, False)
        user.save(update_fields=[field])
    return render(request, "engagements/unsubscribed.html", context)


urlpatterns = [
    path("reminders/sent/", sent_reminders, name="sent_reminders"),
    path("reminders/digest-now/", digest_now, name="digest_now"),
]
public_urlpatterns = [path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe")]
