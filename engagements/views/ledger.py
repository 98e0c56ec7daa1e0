"""The give and ask ledger on the KOL page: log, edit, delete gives and asks; the balance.

The part is `ledger` of engagements/_ledger.html. Anyone who can log for the KOL adds
entries; the one who logged an entry, or the KOL's owner, edits or deletes it.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from common.lazy import lazy_split
from common.rendering import INVALID, opened
from contacts import selectors
from contacts.models import Kol
from contacts.selectors import KolAccess
from contacts.views.profile import kol_page_answer
from engagements.forms.ledger import AskForm, GiveForm
from engagements.models import Ask, Give
from engagements.selectors import ledger as ledger_selectors
from engagements.services import ledger as services

TEMPLATE = "engagements/_ledger.html"
PART = "ledger"


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    gives, asks, balance = lazy_split(
        lambda: ledger_selectors.kol_ledger(kol), "gives", "asks", "balance"
    )
    return {
        "ledger_balance": balance,
        "ledger_gives": gives,
        "ledger_asks": asks,
        # Built when opened (common/rendering.py: OPEN); a link with ?give_kind=
        # opens the give form with that kind chosen.
        "ledger_give_form": (
            GiveForm(kol=kol, prefix="give", initial=_give_initial(request))
            if access.can_log and (opened(request, "give") or "give_kind" in request.GET)
            else None
        ),
        "ledger_ask_form": (
            AskForm(prefix="ask") if access.can_log and opened(request, "ask") else None
        ),
        "ledger_editing_give": None,
        "ledger_editing_ask": None,
    }


def _give_initial(request: HttpRequest) -> dict:
    """Links from Today, events and opportunities preselect the kind of give (?give_kind=)."""
    kind = request.GET.get("give_kind", "")
    return {"kind": kind} if kind in Give.Kind.values else {}


def _answer(request: HttpRequest, kol: Kol, *, part: str = PART, status: int = 200, **overrides):
    return kol_page_answer(request, kol, part, template=TEMPLATE, status=status, **overrides)


def _changed(response: HttpResponse) -> HttpResponse:
    """The timeline and the follow-ups (a give completes check-ins) refresh on this event."""
    return trigger_client_event(response, "ledger-changed")


def _require_entry_edit(request: HttpRequest, kol: Kol, entry: Give | Ask) -> None:
    access = selectors.kol_access(request.user, kol)
    if access.can_edit or (access.can_log and entry.by_id == request.user.pk):
        return
    raise PermissionDenied("Only the person who logged it or the KOL's owner can change this.")


@require_GET
def kol_ledger_part(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol)


# Gives ---------------------------------------------------------------------------------


def _get_give(kol: Kol, give_pk: int) -> Give:
    return get_object_or_404(Give.objects.select_related("topic__area", "by"), kol=kol, pk=give_pk)


@require_POST
def give_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("log")
    form = GiveForm(request.POST, kol=kol, prefix="give")
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, ledger_give_form=form)
    services.give_log(kol=kol, by=request.user, data=form.cleaned_data)
    return _changed(_answer(request, kol))


@require_http_methods(["GET", "POST"])
def give_edit(request: HttpRequest, pk: int, give_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    give = _get_give(kol, give_pk)
    _require_entry_edit(request, kol, give)
    form = GiveForm(
        request.POST if request.method == "POST" else None,
        kol=kol,
        instance=give,
        prefix=f"give{give.pk}",
    )
    editing = {"ledger_editing_give": give.pk, "ledger_give_edit_form": form}
    if request.method == "GET":
        # htmx swaps the list item for its form; a browser gets the page with the form in place.
        return _answer(request, kol, part="give_item", give=give, **editing)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, **editing)
    services.give_update(give=give, data=form.cleaned_data, by=request.user)
    return _changed(_answer(request, kol))


@require_POST
def give_delete(request: HttpRequest, pk: int, give_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    give = _get_give(kol, give_pk)
    _require_entry_edit(request, kol, give)
    services.give_delete(give=give, by=request.user)
    return _changed(_answer(request, kol))


# Asks ----------------------------------------------------------------------------------


def _get_ask(kol: Kol, ask_pk: int) -> Ask:
    return get_object_or_404(Ask.objects.select_related("by"), kol=kol, pk=ask_pk)


@require_POST
def ask_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("log")
    form = AskForm(request.POST, prefix="ask")
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, ledger_ask_form=form)
    services.ask_log(kol=kol, by=request.user, data=form.cleaned_data)
    return _changed(_answer(request, kol))


@require_http_methods(["GET", "POST"])
def ask_edit(request: HttpRequest, pk: int, ask_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    ask = _get_ask(kol, ask_pk)
    _require_entry_edit(request, kol, ask)
    form = AskForm(
        request.POST if request.method == "POST" else None, instance=ask, prefix=f"ask{ask.pk}"
    )
    editing = {"ledger_editing_ask": ask.pk, "ledger_ask_edit_form": form}
    if request.method == "GET":
        return _answer(request, kol, part="ask_item", ask=ask, **editing)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, **editing)
    services.ask_update(ask=ask, data=form.cleaned_data, by=request.user)
    return _changed(_answer(request, kol))


@require_POST
def ask_delete(request: HttpRequest, pk: int, ask_pk: int) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    ask = _get_ask(kol, ask_pk)
    _require_entry_edit(request, kol, ask)
    services.ask_delete(ask=ask, by=request.user)
    return _changed(_answer(request, kol))


urlpatterns = [
    path("kols/<int:pk>/ledger/", kol_ledger_part, name="kol_ledger"),
    path("kols/<int:pk>/gives/add/", give_add, name="give_add"),
    path("kols/<int:pk>/gives/<int:give_pk>/edit/", give_edit, name="give_edit"),
    path("kols/<int:pk>/gives/<int:give_pk>/delete/", give_delete, name="give_delete"),
    path("kols/<int:pk>/asks/add/", ask_add, name="ask_add"),
    path("kols/<int:pk>/asks/<int:ask_pk>/edit/", ask_edit, name="ask_edit"),
    path("kols/<int:pk>/asks/<int:ask_pk>/delete/", ask_delete, name="ask_delete"),
]
