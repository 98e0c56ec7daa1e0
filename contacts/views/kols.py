"""My KOLs, create / edit / archive. (The KOL page itself: kolpage/.)"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.locking import StaleEdit
from common.rendering import CONFLICT, INVALID, render_page_or_part
from contacts import selectors, services
from contacts.forms import KolCreateForm, KolFilter, KolForm

PAGE_SIZE = 50


def _kol_list(request: HttpRequest, *, archived: bool) -> HttpResponse:
    user = request.user
    owners = selectors.owners_for_manager(user) if user.is_manager else None
    kol_filter = KolFilter(
        request.GET, queryset=selectors.kol_list_rows(user, archived=archived), owners=owners
    )
    rows = kol_filter.qs if kol_filter.is_valid() else kol_filter.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": kol_filter,
        "page": page,
        "archived": archived,
        "query": query.urlencode(),
        "show_owner": owners is not None,
    }
    return render_page_or_part(request, "contacts/kol_list.html", "results", context)


@require_GET
def kol_list(request: HttpRequest) -> HttpResponse:
    return _kol_list(request, archived=False)


@require_GET
def kol_archived_list(request: HttpRequest) -> HttpResponse:
    return _kol_list(request, archived=True)


@require_http_methods(["GET", "POST"])
def kol_create(request: HttpRequest) -> HttpResponse:
    form = KolCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kol = services.kol_create(by=request.user, data=form.cleaned_data)
        messages.success(request, f"{kol.name} added. Start with what they told you.")
        return redirect("kol:kol_detail", pk=kol.pk)
    status = INVALID if form.is_bound else 200
    return render(request, "contacts/kol_form.html", {"form": form}, status=status)


def _conflict_fields(form: KolForm, current) -> list[dict]:
    """The fields where the saved record differs from what this user submitted."""
    rows = []
    for name in form.Meta.fields:
        mine = form.cleaned_data.get(name)
        theirs = getattr(current, name)
        if name == "therapeutic_areas":
            mine = sorted(str(a) for a in mine or [])
            theirs = sorted(str(a) for a in current.therapeutic_areas.all())
        if mine != theirs:
            label = form.fields[name].label or name
            rows.append({"label": label, "mine": mine, "theirs": theirs})
    return rows


@require_http_methods(["GET", "POST"])
def kol_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    if request.method == "GET":
        form = KolForm(instance=kol, initial={"version": kol.version})
        return render(request, "contacts/kol_form.html", {"form": form, "kol": kol})

    form = KolForm(request.POST, instance=kol)
    form.fields["version"].required = True
    if not form.is_valid():
        return render(request, "contacts/kol_form.html", {"form": form, "kol": kol}, status=INVALID)
    try:
        services.kol_update(
            kol=kol,
            by=request.user,
            data=form.cleaned_data,
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit as conflict:
        current = conflict.current
        changed = _conflict_fields(form, current)
        # Keep what this user typed; the new version lets them save it over the other change.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = KolForm(data, instance=current)
        form.is_valid()
        context = {"form": form, "kol": current, "conflict": changed}
        return render(request, "contacts/kol_form.html", context, status=CONFLICT)
    messages.success(request, "Profile saved.")
    return redirect("kol:kol_detail", pk=kol.pk)


@require_POST
def kol_archive(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    services.kol_set_archived(kol=kol, by=request.user, archived=True)
    messages.success(request, f"{kol.name} archived. Restore them from Archived KOLs any time.")
    return redirect("contacts:kol_list")


@require_POST
def kol_restore(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("edit")
    services.kol_set_archived(kol=kol, by=request.user, archived=False)
    messages.success(request, f"{kol.name} restored.")
    return redirect("kol:kol_detail", pk=kol.pk)
