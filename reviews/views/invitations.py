"""The invited person's side of team invitations: the public invitation link (a new account
sets its password there) and "Your invitations" (someone who has an account joins or
declines, signed in)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import team_not_required
from common.rendering import INVALID, render_page_or_part
from reviews.forms.team import AnswerForm
from reviews.models import Invitation
from reviews.services import invitations as invitation_services
from reviews.services.team import ROLE_PHRASES
from reviews.tokens import InvalidInvite, read_invite_token


def open_invitations(**filters):
    """Invitations nobody answered or withdrew (expired ones included: they show as such)."""
    return Invitation.objects.filter(
        accepted_at=None, declined_at=None, revoked_at=None, **filters
    ).order_by("created_at", "pk")


# Why a link no longer works, in the words of its page (400).
LINK_REFUSALS = {
    **invitation_services.REFUSED_STATES,
    "deactivated": "This account was deactivated: only staff can reactivate it.",
    "another account": "This invitation was sent to someone else: sign out, then open the "
    "link again and sign in with the address it was sent to.",
}


def _link_invalid(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {"validlink": False, "reason": LINK_REFUSALS.get(reason, reason)}
    return render(request, "reviews/invite_accept.html", context, status=400)


# Public: the signed token in the address names the invitation; the row says if it works.
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = read_invite_token(token)
    except InvalidInvite:
        return _link_invalid(request)
    state = invitation.state()
    if state != Invitation.State.PENDING:
        return _link_invalid(request, state)
    user = invitation.user
    if not invitation_services.never_joined(user):
        # Someone who already has an account answers signed in, as themselves.
        if not user.is_active:
            return _link_invalid(request, "deactivated")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.pk != user.pk:
            return _link_invalid(request, "another account")
        return redirect("reviews:invitations")
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_services.invitation_accept(
                invitation=invitation, user=user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            return _link_invalid(request, " ".join(error.messages))
        user.refresh_from_db()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_short_name()}: your password is set.")
        return redirect("engagements:today")
    context = {"validlink": True, "form": form, "person": user, "invitation": invitation}
    return render(
        request,
        "reviews/invite_accept.html",
        context,
        status=INVALID if request.method == "POST" else 200,
    )


@team_not_required
@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """The signed-in person's open invitations, each with Join and Decline."""
    since = timezone.now() - Invitation.VALID_FOR
    pending = open_invitations(user=request.user, created_at__gt=since).select_related(
        "team", "invited_by"
    )
    context = {"invitations": list(pending)}
    return render_page_or_part(request, "reviews/invitations.html", "list", context)


@team_not_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("team"), pk=pk, user=request.user
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That answer was not understood: nothing was changed.")
        return redirect("reviews:invitations")
    accept = form.cleaned_data["answer"] == "accept"
    try:
        if accept:
            invitation_services.invitation_accept(invitation=invitation, user=request.user)
        else:
            invitation_services.invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reviews:invitations")
    if not accept:
        messages.info(request, f"You declined the invitation to {invitation.team}.")
        return redirect("reviews:invitations")
    role = ROLE_PHRASES[invitation.role]
    messages.success(request, f"You joined {invitation.team} as {role}.")
    return redirect("home")


urlpatterns = [
    path("invitations/", invitations, name="invitations"),
    path("invitations/<int:pk>/", invitation_answer, name="invitation_answer"),
]
public_urlpatterns = [path("team/join/<str:token>/", join, name="team_join")]
