"""The KOL's personal links: created and revoked from the KOL page (signed in), and the
page the link opens (public: `public_urlpatterns`, listed in kolcrm.urls)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from common.clients import client_address
from common.rendering import INVALID
from contacts import kol_page as contacts_part
from contacts import selectors as contact_selectors
from engagements.models import Give
from voice import kol_page, selectors, services
from voice.forms import GiveRatingForm, LinkCreateForm, PlanCommentForm, SurveyForm
from voice.models import VoiceLink
from voice.tokens import InvalidVoiceLink, read_voice_token


def _answer(request: HttpRequest, kol, access, *, status: int = 200, form=None) -> HttpResponse:
    return contacts_part.answer_part(
        request,
        kol,
        kol_page.PART,
        template=kol_page.TEMPLATE,
        context_of=lambda request, kol, access: kol_page.voice_context(
            request, kol, access, form=form
        ),
        status=status,
        access=access,
    )


@require_POST
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    access = contact_selectors.kol_access(request.user, kol)
    access.require("log")
    has_plan = selectors.has_plan_to_share(kol)
    form = LinkCreateForm(request.POST, kol=kol, has_plan=has_plan)
    if form.is_valid():
        try:
            services.link_create(
                kol=kol,
                by=request.user,
                ask_interests=form.cleaned_data["ask_interests"],
                share_plan=form.cleaned_data["share_plan"],
                gives=list(form.cleaned_data["gives"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors and not request.htmx:
        messages.error(request, " ".join(form.non_field_errors()) or "Check the link's parts.")
        return redirect(contacts_part.kol_page_url(kol.pk) + f"#{kol_page.PART}")
    if form.errors:
        return _answer(request, kol, access, status=INVALID, form=form)
    return _answer(request, kol, access)


@require_POST
def link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    kol = contact_selectors.get_kol_for_user(request.user, pk)
    access = contact_selectors.kol_access(request.user, kol)
    access.require("log")
    link = get_object_or_404(VoiceLink.objects.select_related("kol"), pk=link_pk, kol=kol)
    services.link_revoke(link=link, by=request.user)
    return _answer(request, kol, access)


# --- Public: the page the KOL opens ---------------------------------------------------------

WINDOW_SECONDS = 10 * 60
# Per client address and link in a window: enough for a KOL answering the three parts and
# correcting them a few times, far too few to flood the MSL with follow-ups.
LIMITS = {"GET": 120, "POST": 30}
# Per client address, links that do not work: a guessing client is stopped early.
BAD_LINKS_LIMIT = 60


def _count(key: str) -> int:
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _private(response: HttpResponse) -> HttpResponse:
    """Only for this person's eyes: no cache keeps it, no address leaks to where it links."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refusal(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    page = render(request, "voice/link_invalid.html", {"reason": reason}, status=status)
    return _private(page)


TOO_MANY = "Too many requests from your address: please try again in a few minutes."


# Public and exempt from CSRF on purpose: the KOL has no account and no session, and the page
# sets no cookie at all. The signed token in the address is what authorises an answer; a
# forged cross-site post would need that token, which only its owner has.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def kol_link(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if cache.get(f"voice:bad:{address}", 0) >= BAD_LINKS_LIMIT:
        return _refusal(request, 429, TOO_MANY)
    try:
        link = read_voice_token(token)
    except InvalidVoiceLink:
        _count(f"voice:bad:{address}")
        return _refusal(request, 404, "")
    # Counted per link, not per token: each rendering of the KOL page signs a new token.
    if _count(f"voice:{request.method}:{address}:{link.pk}") > LIMITS[request.method]:
        return _refusal(request, 429, TOO_MANY)
    page = selectors.public_page(link)
    forms = _public_forms(page)
    status = 200
    if request.method == "POST":
        part, form = _bound_form(request, page)
        if form is None:
            return _refusal(request, 400, "That answer was not understood: nothing was saved.")
        if form.is_valid():
            _save(link, part, form)
            return _private(redirect(reverse("kol_link", args=[token]) + f"?saved={part}#{part}"))
        forms[part] = form
        status = INVALID
    else:
        services.link_opened(link=link)
    context = {"page": page, "forms": forms, "saved": request.GET.get("saved", ""), "kol": link.kol}
    return _private(render(request, "voice/kol_link.html", context, status=status))


def _public_forms(page: selectors.PublicPage) -> dict:
    link, survey = page.link, page.survey
    forms = {}
    if link.ask_interests:
        initial = (
            {
                "interest_kinds": survey.interest_kinds,
                "topics": list(survey.topics.all()),
                "goals": survey.goals,
            }
            if survey
            else None
        )
        forms["interests"] = SurveyForm(topics=selectors.survey_topics(link.kol), initial=initial)
    if page.plan is not None:
        forms["plan"] = PlanCommentForm(initial={"comment": page.plan.kol_comment})
    return forms


def _bound_form(request: HttpRequest, page: selectors.PublicPage):
    part = request.POST.get("part", "")
    if part == "interests" and page.link.ask_interests:
        return part, SurveyForm(request.POST, topics=selectors.survey_topics(page.link.kol))
    if part == "plan" and page.plan is not None:
        return part, PlanCommentForm(request.POST)
    if part == "gives" and page.gives:
        form = GiveRatingForm(request.POST)
        # Only a give of this link: anything else is not understood.
        if form.is_valid() and form.cleaned_data["give"] not in {g.pk for g in page.gives}:
            return part, None
        return part, form
    return part, None


def _save(link: VoiceLink, part: str, form) -> None:
    data = form.cleaned_data
    if part == "interests":
        services.survey_answer(
            link=link,
            interest_kinds=data["interest_kinds"],
            topics=list(data["topics"]),
            goals=data["goals"],
        )
    elif part == "plan":
        services.plan_comment(link=link, comment=data["comment"])
    else:
        give = Give.objects.get(pk=data["give"], kol_id=link.kol_id)
        services.give_rate(link=link, give=give, rating=data["rating"], comment=data["comment"])
