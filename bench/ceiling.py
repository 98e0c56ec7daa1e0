"""The ceiling: the cheapest authenticated Django view on the same server stack.

Plain on purpose: no cache, no template, no query of its own (the session and the user are
loaded by the middleware, as for every page). Mounted only when KOLCRM_BENCH=1.
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

ENABLED = os.environ.get("KOLCRM_BENCH") == "1"


@login_required
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling")]
