"""Follow-ups: the KOL page part, add one, done / skip / snooze inline, undo, reopen.

The actions answer htmx with the re-rendered item (the same partial on the KOL page and on
Today): after done, skip or snooze, a one-line notice with Undo. A plain post goes back to
the page it came from (`next`), which shows that notice (today.take_undo), or, when
invalid, gets that page with the error (422).
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from common.lazy import lazy_split
from common.rendering import CONFLICT, INVALID, opened
from contacts.kol_page import part_answerer
from contacts.models import Kol
from contacts.selectors import KolAccess, get_kol_for_user, kol_access
from engagements.forms.followups import FollowUpForm, FollowUpReopenForm, FollowUpSnoozeForm
from engagements.models import FollowUp
from engagements.selectors import followups as selectors
from engagements.services import followups as services
from engagements.views import today as today_views

TEMPLATE = "engagements/_followups.html"
ITEM_TEMPLATE = "engagements/_followup_item.html"
PART = "followups"


def _kol_page_url(kol_pk: int) -> str:
    return reverse("kol:kol_detail", args=[kol_pk]) + f"#{PART}"


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    open_followups, recent_followups = lazy_split(
        lambda: selectors.kol_followups(kol, user=request.user), "open", "recent"
    )
    return {
        "followup_open": open_followups,
        "followup_recent": recent_followups,
        "followup_form": (
            FollowUpForm() if access.can_log and opened(request, "followup") else None
        ),
        "followup_today": timezone.localdate(),
        "followup_next": _kol_page_url(kol.pk),
        "followup_notice": today_views.take_undo(request, kol_pk=kol.pk),
    }


# This part of the KOL page, from its own context (contacts.kol_page.answer_part).
_answer = part_answerer(template=TEMPLATE, context_of=kol_page_context, part=PART)


def _get_followup(request: HttpRequest, pk: int, followup_pk: int) -> FollowUp:
    """The follow-up if the user may see its KOL (else 404) and act on it (else 403)."""
    kol = get_kol_for_user(request.user, pk)
    followup = get_object_or_404(FollowUp, kol=kol, pk=followup_pk)
    followup.kol = kol
    if not selectors.may_act_on(request.user, followup):
        raise PermissionDenied("Only the follow-up's owner or the KOL's owner can change it.")
    followup.can_act = True
    return followup


def _next_url(request: HttpRequest, followup: FollowUp) -> str:
    candidate = request.POST.get("next", "")
    # A path of ours only: redirect() takes other words for view names, and Django refuses
    # a NUL or newline in a Location header (both a 500).
    if (
        candidate.startswith("/")
        and candidate.isprintable()
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return _kol_page_url(followup.kol_id)


def _answer_item(
    request: HttpRequest, followup: FollowUp, *, status: int = 200, **overrides
) -> HttpResponse:
    next_url = _next_url(request, followup)
    from_today = urlsplit(next_url).path == reverse("engagements:today")
    if not request.htmx:
        if status == 200:
            return redirect(next_url)
        if from_today:
            return today_views.today_page(request, status=status, **overrides)
        return _answer(request, followup.kol, PART, status=status, **overrides)
    selectors.with_drafts([followup], user=request.user)
    context = {
        "followup": followup,
        "followup_today": timezone.localdate(),
        "followup_next": next_url,
        "followup_show_kol": from_today,
        **overrides,
    }
    response = render(request, ITEM_TEMPLATE, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def kol_followups_part(request: HttpRequest, pk: int) -> HttpResponse:
    kol = get_kol_for_user(request.user, pk)
    return _answer(request, kol, PART)


@require_POST
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = get_kol_for_user(request.user, pk)
    kol_access(request.user, kol).require("log")
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.followup_add(kol=kol, by=request.user, **form.cleaned_data)
        except ValidationError as error:  # the day turned between validating and saving
            form.add_error(None, error)
    if form.errors:
        return _answer(request, kol, PART, status=INVALID, followup_form=form)
    if not request.htmx:
        messages.success(request, "Follow-up added.")
    return _answer(request, kol, PART)


def _undo_notice(
    request: HttpRequest, followup: FollowUp, before: services.FollowUpState, said: str
) -> dict | None:
    """What the Undo of the action just done needs; None when it changed nothing."""
    token = services.undo_token(followup=followup, before=before, by=request.user)
    if token is None:
        return None
    notice = {
        "kol_id": followup.kol_id,
        "pk": followup.pk,
        "token": token,
        "said": said,
        "who": followup.kol.display_name,
        "text": followup.text,
    }
    if not request.htmx:
        today_views.remember_undo(request, notice)
    return notice


def _complete(request: HttpRequest, pk: int, followup_pk: int, status: str) -> HttpResponse:
    followup = _get_followup(request, pk, followup_pk)
    before = services.FollowUpState.of(followup)
    services.followup_complete(followup=followup, status=status, by=request.user)
    said = "Done ✓" if followup.status == FollowUp.Status.DONE else "Skipped"
    notice = _undo_notice(request, followup, before, said)
    if not request.htmx:
        messages.success(request, f"Follow-up {followup.get_status_display().lower()}.")
    # The timeline shows completed follow-ups: it refreshes on this event.
    response = _answer_item(request, followup, followup_undo=notice)
    return trigger_client_event(response, "followups-changed")


@require_POST
def followup_done(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    return _complete(request, pk, followup_pk, FollowUp.Status.DONE)


@require_POST
def followup_skip(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    return _complete(request, pk, followup_pk, FollowUp.Status.SKIPPED)


@require_POST
def followup_snooze(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    followup = _get_followup(request, pk, followup_pk)
    before = services.FollowUpState.of(followup)
    form = FollowUpSnoozeForm(request.POST, followup=followup)
    if form.is_valid():
        try:
            services.followup_snooze(
                followup=followup, until=form.cleaned_data["until"], by=request.user
            )
        except ValidationError as error:  # the day turned between validating and saving
            form.add_error(None, error)
    if form.errors:
        return _answer_item(
            request,
            followup,
            status=INVALID,
            followup_snooze_error_pk=followup.pk,
            followup_snooze_form=form,
        )
    day = date_format(followup.due_on, "D j M Y")
    due = "Due today" if followup.due_on == timezone.localdate() else f"Due {day}"
    notice = _undo_notice(request, followup, before, f"Snoozed · {due}")
    if not request.htmx:
        until = date_format(followup.due_on, "j M Y")
        messages.success(request, f"Follow-up snoozed until {until}.")
    return _answer_item(request, followup, followup_undo=notice)


@require_POST
def followup_undo(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    """Put back what a done, skip or snooze changed, unless something changed it since."""
    followup = _get_followup(request, pk, followup_pk)
    try:
        services.followup_undo(
            followup=followup, token=request.POST.get("token", ""), by=request.user
        )
    except services.UndoRefused as refused:
        if not request.htmx:
            messages.error(request, str(refused))
            return redirect(_next_url(request, followup))
        return _answer_item(request, followup, status=CONFLICT, followup_message=str(refused))
    if not request.htmx:
        messages.success(request, "Undone.")
    response = _answer_item(request, followup, followup_message="Undone.")
    return trigger_client_event(response, "followups-changed")


@require_POST
def followup_reopen(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    """Reopen a done or skipped follow-up from the KOL page, with its text and date edited."""
    followup = _get_followup(request, pk, followup_pk)
    if followup.status == FollowUp.Status.OPEN:  # reopened or undone in another tab
        return _answer(
            request,
            followup.kol,
            PART,
            status=CONFLICT,
            followup_section_message=services.NOT_COMPLETED,
        )
    form = FollowUpReopenForm(request.POST, instance=followup)
    if form.is_valid():
        try:
            services.followup_reopen(followup=followup, by=request.user, **form.cleaned_data)
        except ValidationError as error:  # opened since, or the day turned
            form.add_error(None, error)
    if form.errors:
        return _answer(
            request,
            followup.kol,
            PART,
            status=INVALID,
            followup_reopen_form=form,
            followup_reopen_pk=followup.pk,
        )
    if not request.htmx:
        messages.success(request, "Follow-up reopened.")
    return trigger_client_event(_answer(request, followup.kol, PART), "followups-changed")
