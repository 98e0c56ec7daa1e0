"""The prep brief: one printable page to read before the next meeting with a KOL."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from contacts.selectors import get_kol_for_user
from engagements.selectors.prep import prep_brief as build_prep_brief


@require_GET
def prep_brief(request: HttpRequest, pk: int) -> HttpResponse:
    kol = get_kol_for_user(request.user, pk)
    brief = build_prep_brief(kol=kol, user=request.user)
    return render(request, "engagements/prep_brief.html", {"kol": kol, "brief": brief})


urlpatterns = [
    path("kols/<int:pk>/prep/", prep_brief, name="prep_brief"),
]
