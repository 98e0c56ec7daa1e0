"""Touchpoints: log (inline on the KOL page, or on its own page), edit, delete; the timeline."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from contacts.models import Kol
from contacts.selectors import KolAccess


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {}


@require_http_methods(["GET", "POST"])
def touchpoint_new(request: HttpRequest) -> HttpResponse:
    return render(request, "engagements/touchpoint_new.html", {})


urlpatterns = [path("touchpoints/new/", touchpoint_new, name="touchpoint_new")]
