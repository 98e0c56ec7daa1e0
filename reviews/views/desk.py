"""Where a signed-in person lands, and the manager's desk: what needs them across the team."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from reviews.access import require_manager
from reviews.selectors.desk import manager_desk, owns_kols


# Any method, as the RedirectView it replaces: a form posted to "/" still lands somewhere.
@require_http_methods(["GET", "HEAD", "POST"])
def home(request: HttpRequest) -> HttpResponseRedirect:
    """A manager lands on what needs them across the team; everyone else on their Today."""
    if request.user.is_manager:
        return redirect("reviews:desk")
    return redirect("engagements:today")


@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    context = {
        "teams": teams,
        "desk": manager_desk(teams, today=request.user.today(), now=timezone.now()),
        "owns_kols": owns_kols(request.user),
    }
    return render(request, "reviews/desk.html", context)


urlpatterns = [path("needs-you/", desk, name="desk")]
