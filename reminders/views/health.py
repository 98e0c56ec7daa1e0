"""Operations: the staff page "Reminders health", and /health/ for an uptime monitor."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reminders.selectors import reminders_health


@require_GET
def health_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:  # operators only; for others the page does not exist
        raise Http404("No such page.")
    health = reminders_health(dispatch_seconds=settings.REMINDER_DISPATCH_SECONDS)
    return render(request, "reminders/health.html", {"health": health})


# Public (kolcrm.urls): a monitor polls it without signing in. It names no person or KOL.
@require_GET
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """200 "ok", or 503 with the reasons: the dispatcher stopped (beat or its worker is
    down) or a due reminder has waited too long (send workers or the mail server)."""
    report = reminders_health(dispatch_seconds=settings.REMINDER_DISPATCH_SECONDS)
    status = 200 if report.ok else 503
    return JsonResponse({"ok": report.ok, "problems": report.problems}, status=status)


@require_GET
@never_cache
def live(request: HttpRequest) -> HttpResponse:
    """The web process answers (the container's health check): no database, no broker."""
    return HttpResponse("ok", content_type="text/plain")
