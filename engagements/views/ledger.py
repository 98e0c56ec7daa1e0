"""The give and ask ledger on the KOL page: log, edit, delete gives and asks; the balance.

The part is `ledger` of engagements/_ledger.html. Anyone who can log for the KOL adds
entries; the one who logged an entry, or the KOL's owner, edits or deletes it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from common.lazy import lazy_split
from common.locking import STALE_FORM, StaleEdit
from common.rendering import CONFLICT, INVALID, opened
from contacts import selectors
from contacts.kol_page import part_answerer
from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.forms.ledger import AskForm, EntryDeleteForm, GiveForm
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
        "ledger_conflict": None,  # a stale edit: the entry as saved now
        "ledger_message": "",  # why a delete was refused
    }


def _give_initial(request: HttpRequest) -> dict:
    """Links from Today, events and opportunities preselect the kind of give (?give_kind=)."""
    kind = request.GET.get("give_kind", "")
    return {"kind": kind} if kind in Give.Kind.values else {}


_answer = part_answerer(template=TEMPLATE, context_of=kol_page_context, part=PART)


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


# Gives and asks: one set of views, told apart by the URL's `kind` ------------------------


@dataclass(frozen=True)
class EntryKind:
    name: str  # "give" or "ask": its URL names, form prefix and names in the template
    model: type[Give] | type[Ask]
    shown_with: tuple[str, ...]  # what its list item shows of other rows
    form: Callable[..., GiveForm | AskForm]  # (kol, data, **form kwargs)
    log: Callable[..., Give | Ask]


GIVE = EntryKind(
    name="give",
    model=Give,
    shown_with=("topic__area", "by"),
    form=lambda kol, data=None, **kwargs: GiveForm(data, kol=kol, **kwargs),
    log=services.give_log,
)
ASK = EntryKind(
    name="ask",
    model=Ask,
    shown_with=("by",),
    form=lambda kol, data=None, **kwargs: AskForm(data, **kwargs),
    log=services.ask_log,
)


def _get_entry(
    request: HttpRequest, pk: int, kind: EntryKind, ids: dict[str, int]
) -> tuple[Kol, Give | Ask]:
    """The KOL and the entry (`give_pk` or `ask_pk` in the URL) the user may change."""
    kol = selectors.get_kol_for_user(request.user, pk)
    rows = kind.model.objects.select_related(*kind.shown_with)
    entry = get_object_or_404(rows, kol=kol, pk=ids[f"{kind.name}_pk"])
    _require_entry_edit(request, kol, entry)
    return kol, entry


def _editing(
    request: HttpRequest,
    kol: Kol,
    kind: EntryKind,
    entry: Give | Ask,
    form: GiveForm | AskForm,
    *,
    part: str = PART,
    status: int = 200,
    **extra,
) -> HttpResponse:
    """The ledger (or the entry's list item) with the entry's edit form in place."""
    editing = {
        kind.name: entry,
        f"ledger_editing_{kind.name}": entry.pk,
        f"ledger_{kind.name}_edit_form": form,
    }
    return _answer(request, kol, part=part, status=status, **editing, **extra)


@require_POST
def entry_add(request: HttpRequest, pk: int, kind: EntryKind) -> HttpResponse:
    kol = selectors.get_kol_for_user(request.user, pk)
    selectors.kol_access(request.user, kol).require("log")
    form = kind.form(kol, request.POST, prefix=kind.name)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, **{f"ledger_{kind.name}_form": form})
    kind.log(kol=kol, by=request.user, data=form.cleaned_data)
    return _changed(_answer(request, kol))


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int, kind: EntryKind, **ids: int) -> HttpResponse:
    kol, entry = _get_entry(request, pk, kind, ids)
    data = request.POST if request.method == "POST" else None
    form = kind.form(kol, data, instance=entry, prefix=f"{kind.name}{entry.pk}")
    if request.method == "GET":
        # htmx swaps the list item for its form; a browser gets the page with the form in place.
        return _editing(request, kol, kind, entry, form, part=f"{kind.name}_item")
    if not form.is_valid():
        return _editing(request, kol, kind, entry, form, status=INVALID)
    try:
        services.entry_update(
            entry=entry,
            data=form.cleaned_data,
            expected_version=form.expected_version(),
            by=request.user,
        )
    except StaleEdit as conflict:
        return _edit_conflict(request, kol, kind, entry, form, conflict.current)
    return _changed(_answer(request, kol))


def _edit_conflict(
    request: HttpRequest,
    kol: Kol,
    kind: EntryKind,
    entry: Give | Ask,
    form: GiveForm | AskForm,
    current: Give | Ask | None,
) -> HttpResponse:
    """409 with what is saved now and what the user typed, based on the saved version so
    that saving again overwrites the other change on purpose."""
    if current is None:  # deleted since the form was validated: as if it had been before
        raise Http404("This entry was deleted meanwhile.")
    data = request.POST.copy()
    data[f"{form.prefix}-version"] = str(current.version)
    form = kind.form(kol, data, instance=entry, prefix=form.prefix)
    return _editing(request, kol, kind, entry, form, status=CONFLICT, ledger_conflict=current)


@require_POST
def entry_delete(request: HttpRequest, pk: int, kind: EntryKind, **ids: int) -> HttpResponse:
    kol, entry = _get_entry(request, pk, kind, ids)
    form = EntryDeleteForm(request.POST)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, ledger_message=STALE_FORM)
    try:
        services.entry_delete(
            entry=entry, expected_version=form.cleaned_data["version"], by=request.user
        )
    except StaleEdit as conflict:
        if conflict.current is not None:  # (None: deleted meanwhile, as the user wanted)
            message = (
                f"Someone changed “{conflict.current}” after the page was shown, so it was "
                "not deleted. Check it below, then delete it again if you still mean to."
            )
            return _answer(request, kol, status=CONFLICT, ledger_message=message)
    return _changed(_answer(request, kol))


GIVES, ASKS = {"kind": GIVE}, {"kind": ASK}
