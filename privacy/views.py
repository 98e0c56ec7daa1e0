"""A KOL's data: export everything we hold, erase on request; the timeline as a file.

Data-subject requests go through the KOL's owner and the manager of the owner's team: they
may export. Erasing is the owner's (the role table: edit and archive are the owner's).
Collaborators see the KOL but get 403 here; anyone else gets 404.
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from common.rendering import INVALID
from contacts import exports
from contacts import selectors as contact_selectors
from contacts.models import Kol
from privacy import selectors, services


def _require_data_request(request: HttpRequest, kol: Kol) -> None:
    access = contact_selectors.kol_access(request.user, kol)
    if not (access.is_owner or access.is_manager):
        raise PermissionDenied(
            "Only the KOL's owner and the manager of the owner's team handle requests "
            "about this person's data."
        )


@require_GET
def kol_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    _require_data_request(request, kol)
    body = json.dumps(selectors.kol_data(kol), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"kol-{kol.pk}-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def kol_data(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    _require_data_request(request, kol)
    data = selectors.kol_data(kol)
    context = {"kol": kol, "data": data, **selectors.readable_sections(data)}
    return render(request, "privacy/kol_data.html", context)


class EraseConfirmForm(forms.Form):
    """Typing the name makes erasing this person, not another, a deliberate act."""

    confirm_name = forms.CharField(
        label="Type the KOL's name to confirm",
        max_length=200,
        error_messages={"required": "Type the KOL's name to confirm."},
    )

    def __init__(self, *args, kol: Kol, **kwargs):
        super().__init__(*args, **kwargs)
        self.kol = kol

    def clean_confirm_name(self) -> str:
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if self.kol.erased_at:
            raise forms.ValidationError("This person's data was already erased.")
        if typed != " ".join(self.kol.name.split()):
            raise forms.ValidationError(
                f"That is not the name on this record. Type “{self.kol.name}” exactly, or go back."
            )
        return typed


@require_http_methods(["GET", "POST"])
def kol_erase(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    contact_selectors.kol_access(request.user, kol).require("edit")
    form = EraseConfirmForm(request.POST if request.method == "POST" else None, kol=kol)
    if request.method == "POST" and form.is_valid():
        services.kol_erase(kol=kol, by=request.user)
        messages.success(
            request,
            "Their personal data was erased. The record stays, anonymised and archived, "
            "so your team's counts stay true.",
        )
        return redirect("kol:kol_detail", pk=kol.pk)
    context = {"kol": kol, "form": form, "preview": selectors.erase_preview(kol)}
    status = INVALID if form.is_bound else 200
    return render(request, "privacy/erase_confirm.html", context, status=status)


@require_GET
def kol_timeline_csv(request: HttpRequest, pk: int) -> HttpResponse:
    # Everyone who sees the KOL sees its timeline on the page; the file holds the same.
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    filename = f"kol-{kol.pk}-timeline-{timezone.localdate():%Y-%m-%d}.csv"
    return exports.csv_response(filename, selectors.TIMELINE_COLUMNS, selectors.timeline_rows(kol))
