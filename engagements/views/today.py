"""Today: the MSL's home page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    return render(request, "engagements/today.html", {})


urlpatterns = [path("today/", today, name="today")]
