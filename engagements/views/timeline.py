"""Touchpoints: log (inline on the KOL page, or on its own page), edit, delete; the timeline."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from common.locking import StaleEdit
from common.rendering import CONFLICT, INVALID, opened, render_page_or_part
from contacts import selectors as contact_selectors
from contacts.kol_page import part_answerer
from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.forms.touchpoints import KolPickForm, TouchpointForm
from engagements.models import FollowUp, Touchpoint
from engagements.selectors import followups as followup_selectors
from engagements.selectors import timeline as timeline_selectors
from engagements.selectors.questions import suggested_questions
from engagements.services import touchpoints as services

PART_TEMPLATE = "engagements/_timeline.html"
# Parts of the KOL page that depend on touchpoints (follow-ups) listen for this event.
TOUCHPOINTS_CHANGED = "touchpoints-changed"


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _touchpoint_form(request: HttpRequest, kol: Kol, data=None, **kwargs) -> TouchpointForm:
    # Suggested questions are shown on a new form only (a posted one keeps what was ticked).
    suggested = suggested_questions(kol=kol, user=request.user, limit=5) if data is None else None
    return TouchpointForm(data, kol=kol, user=request.user, suggested=suggested, **kwargs)


def kol_page_context(
    request: HttpRequest, kol: Kol, access: KolAccess, *, stage_history=None
) -> dict:
    kind = request.GET.get("kind", "")
    page = _page_number(request)
    context = {
        "timeline": SimpleLazyObject(
            lambda: timeline_selectors.kol_timeline(
                kol, kind=kind, page=page, stage_changes=stage_history
            )
        ),
        "timeline_kinds": timeline_selectors.KINDS,
        "touchpoint_form": None,
    }
    if access.can_log and opened(request, "touchpoint"):
        context["touchpoint_form"] = SimpleLazyObject(lambda: _touchpoint_form(request, kol))
    return context


# This part of the KOL page, from its own context (contacts.kol_page.answer_part).
_answer = part_answerer(template=PART_TEMPLATE, context_of=kol_page_context, part="timeline")


def _get_own_touchpoint(request: HttpRequest, kol: Kol, touchpoint_pk: int) -> Touchpoint:
    touchpoint = get_object_or_404(Touchpoint, kol=kol, pk=touchpoint_pk)
    if touchpoint.by_id != request.user.pk:
        raise PermissionDenied("Only the person who logged a touchpoint can change it.")
    return touchpoint


def _thank_you_of(touchpoint: Touchpoint, *, kol: Kol, user) -> FollowUp | None:
    """The thank-you follow-up the touchpoint made, with its draft in the MSL's mail app."""
    if hasattr(touchpoint, "thank_you"):  # just logged: the service kept it
        thank_you = touchpoint.thank_you
    else:  # a repeated post of the same form: logged before
        thank_you = FollowUp.objects.filter(
            source_touchpoint=touchpoint, kind=FollowUp.Kind.THANK_YOU
        ).first()
    if thank_you:
        thank_you.kol, thank_you.source_touchpoint = kol, touchpoint
        followup_selectors.with_drafts([thank_you], user=user)
    return thank_you


def _logged_message(thank_you: FollowUp | None) -> str:
    if thank_you:
        return f"Logged. The thank-you recap is due {thank_you.due_on:%a %d %b}."
    return "Logged."


def _logged_notice(thank_you: FollowUp | None) -> str:
    """The confirmation as a message on the KOL page, with the thank-you one tap away."""
    if not thank_you:
        return _logged_message(thank_you)
    draft = (
        format_html(
            ' <a class="followup-draft" href="{}">Draft the thank-you</a>', thank_you.draft_url
        )
        if thank_you.draft_url
        else ""
    )
    return format_html(
        'Logged. <a href="#followup-{}">The thank-you recap</a> is due {}.{}',
        thank_you.pk,
        f"{thank_you.due_on:%a %d %b}",
        draft,
    )


def _log(request: HttpRequest, kol: Kol, form: TouchpointForm) -> Touchpoint | None:
    """Log the valid form once (its token); None, with the reason on the form, if refused."""
    try:
        touchpoint, _created = services.touchpoint_log(
            kol=kol,
            by=request.user,
            data=form.cleaned_data,
            form_token=form.cleaned_data["form_token"],
        )
    except ValidationError as error:  # the token of another KOL's form
        form.add_error(None, error)
        return None
    return touchpoint


@require_GET
def kol_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    return _answer(request, kol, "timeline")


@require_POST
def touchpoint_add(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    contact_selectors.kol_access(request.user, kol).require("log")
    form = _touchpoint_form(request, kol, request.POST)
    if not form.is_valid() or not (touchpoint := _log(request, kol, form)):
        return _answer(
            request,
            kol,
            "timeline",
            status=INVALID,
            touchpoint_form=form,
        )
    thank_you = _thank_you_of(touchpoint, kol=kol, user=request.user)
    if not request.htmx:
        messages.success(request, _logged_message(thank_you))
    # The confirmation carries the new thank-you, so both are on screen where the form was.
    response = _answer(
        request,
        kol,
        "timeline",
        timeline_logged=_logged_message(thank_you),
        timeline_thank_you=thank_you,
    )
    return trigger_client_event(response, TOUCHPOINTS_CHANGED)


@require_http_methods(["GET", "POST"])
def touchpoint_edit(request: HttpRequest, pk: int, touchpoint_pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    touchpoint = _get_own_touchpoint(request, kol, touchpoint_pk)
    form = _touchpoint_form(
        request, kol, request.POST if request.method == "POST" else None, instance=touchpoint
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.touchpoint_update(
                    touchpoint=touchpoint,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data.get("version") or 0,
                    by=request.user,
                )
            except StaleEdit as conflict:
                data = request.POST.copy()
                data["version"] = str(conflict.current.version)
                form = _touchpoint_form(request, kol, data, instance=conflict.current)
                form.is_valid()
                return _answer(
                    request,
                    kol,
                    "timeline",
                    status=CONFLICT,
                    editing_touchpoint=touchpoint.pk,
                    touchpoint_edit_form=form,
                    touchpoint_conflict=conflict.current,
                )
            response = _answer(request, kol, "timeline")
            return trigger_client_event(response, TOUCHPOINTS_CHANGED)
        status = INVALID
    return _answer(
        request,
        kol,
        "timeline",
        status=status,
        editing_touchpoint=touchpoint.pk,
        touchpoint_edit_form=form,
    )


@require_http_methods(["GET", "POST"])
def touchpoint_delete(request: HttpRequest, pk: int, touchpoint_pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    touchpoint = _get_own_touchpoint(request, kol, touchpoint_pk)
    if request.method == "GET":
        # Without JavaScript, a page asks for confirmation (htmx uses hx-confirm).
        return render(
            request, "engagements/touchpoint_delete.html", {"kol": kol, "touchpoint": touchpoint}
        )
    services.touchpoint_delete(touchpoint=touchpoint, by=request.user)
    if not request.htmx:
        messages.success(request, "Touchpoint deleted. Its follow-ups are kept.")
    response = _answer(request, kol, "timeline")
    return trigger_client_event(response, TOUCHPOINTS_CHANGED)


@require_http_methods(["GET", "POST"])
def touchpoint_new(request: HttpRequest) -> HttpResponse:
    """Log a touchpoint from anywhere: pick the KOL (search as you type), then the form."""
    kol = None
    kol_id = request.POST.get("kol") or request.GET.get("kol")
    if kol_id:
        if not (str(kol_id).isascii() and str(kol_id).isdigit()):  # int() refuses "²"
            kol = None
        else:
            kol = contact_selectors.get_kol_for_user(request.user, int(kol_id))
            contact_selectors.kol_access(request.user, kol).require("log")
    pick = KolPickForm(request.GET or None)
    query = pick.cleaned_data["q"] if pick.is_valid() else ""
    matches = (
        contact_selectors.kols_user_may_log_for(request.user)
        .select_related("owner")
        .order_by("name")
    )
    for word in query.split()[:6]:
        matches = matches.filter(name__icontains=word) | matches.filter(institution__icontains=word)
    context = {"pick": pick, "matches": matches[:20], "query": query, "kol": kol}
    if request.method == "GET" and (kol is None or request.htmx):
        return render_page_or_part(request, "engagements/touchpoint_new.html", "picker", context)
    if kol is None:
        context["kol_missing"] = "Pick the KOL you met first."
        return render(request, "engagements/touchpoint_new.html", context, status=INVALID)
    form = _touchpoint_form(request, kol, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and (touchpoint := _log(request, kol, form)):
        # The KOL page opens at its top, the confirmation and the new thank-you on screen.
        messages.success(
            request, _logged_notice(_thank_you_of(touchpoint, kol=kol, user=request.user))
        )
        return redirect("kol:kol_detail", kol.pk)
    context["touchpoint_form"] = form
    status = INVALID if form.is_bound else 200
    return render(request, "engagements/touchpoint_new.html", context, status=status)


urlpatterns = [
    path("touchpoints/new/", touchpoint_new, name="touchpoint_new"),
    # The KOL page's parts (the timeline, touchpoints) are in kolpage/urls.py.
]
