"""KOL data: merge two records of the same person (the owner picks, compares, confirms)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from common.rendering import INVALID, render_page_or_part
from contacts import merge, merge_relations, selectors
from contacts.models import Kol

SELF_MERGE = "A record cannot be merged with itself. Pick the other record of this person."


def _editable_kol(request: HttpRequest, pk: int) -> Kol:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    return kol


@require_GET
def merge_pick(request: HttpRequest, pk: int) -> HttpResponse:
    kol = _editable_kol(request, pk)
    # Without NULs (?q=%00), which PostgreSQL refuses in a query (a 500).
    query = request.GET.get("q", "").replace("\x00", "").strip()
    candidates = merge.merge_candidates(request.user, kol, query=query)
    rows = list(candidates[: merge.PICKER_LIMIT + 1])
    context = {
        "kol": kol,
        "query": query,
        "candidates": rows[: merge.PICKER_LIMIT],
        "more": len(rows) > merge.PICKER_LIMIT,
        "limit": merge.PICKER_LIMIT,
    }
    return render_page_or_part(request, "contacts/merge_pick.html", "candidates", context)


@require_http_methods(["GET", "POST"])
def merge_kols(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    kol = _editable_kol(request, pk)
    if other_pk == pk:
        messages.error(request, SELF_MERGE)
        return redirect("contacts:merge_pick", pk=pk)
    other = _editable_kol(request, other_pk)
    form = merge.MergeForm(request.POST if request.method == "POST" else None, kol=kol, other=other)
    if request.method == "POST" and form.is_valid():
        try:
            survivor = merge.kol_merge(
                survivor=form.cleaned_data["survivor_kol"],
                merged=form.cleaned_data["merged_kol"],
                by=request.user,
                take_from_merged=form.cleaned_data["take_from_merged"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            merged = form.cleaned_data["merged_kol"]
            messages.success(
                request, f"Merged {merged.name} into this record: its history is now here."
            )
            return redirect("kol:kol_detail", pk=survivor.pk)
    context = {
        "kol": kol,
        "other": other,
        "form": form,
        "rows": form.rows(),
        "counts": merge_relations.related_counts(kol, other),
        "survivor_pk": str(form["survivor"].value()),
    }
    return render(request, "contacts/merge.html", context, status=INVALID if form.is_bound else 200)


urlpatterns = [
    path("<int:pk>/merge/", merge_pick, name="merge_pick"),
    path("<int:pk>/merge/<int:other_pk>/", merge_kols, name="merge"),
]
