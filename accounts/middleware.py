import time

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from accounts.models import Membership


class LoginRequiredMiddleware(BaseLoginRequired):
    """Every view needs a login unless kolcrm.urls lists it as public.

    An htmx request whose session expired gets a full-page redirect to the login page
    (coming back to the page the user was on), not a login form swapped into a part.
    """

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            next_path = request.htmx.current_url_abs_path or "/"
            login_url = resolve_url(self.get_login_url(view_func))
            return HttpResponseClientRedirect(redirect_to_login(next_path, login_url)["Location"])
        return super().handle_no_permission(request, view_func)


def team_not_required(view_func):
    """Marks a view a signed-in person in no team may still open (their invitations)."""
    view_func.team_required = False
    return view_func


class TeamRequiredMiddleware:
    """A signed-in person in no team (and not staff) sees only the page saying so, on every
    page but the public ones, signing out and those marked @team_not_required: without a
    team there is nobody's work to see, and events and opportunities are the teams' too."""

    # Django's own views such a person still needs.
    ALLOWED_URL_NAMES = {"logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        if not getattr(view_func, "login_required", True):  # public (login_not_required)
            return None
        if not getattr(view_func, "team_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED_URL_NAMES:
            return None
        roles = list(Membership.objects.filter(user=user).values_list("team_id", "role"))
        if roles:
            # The same query answers User.managed_team_ids (the nav's "Team" link) for free.
            user._managed_team_ids = [
                team_id for team_id, role in roles if role == Membership.Role.MANAGER
            ]
            return None
        if getattr(request, "htmx", False):
            return HttpResponseClientRefresh()  # the whole page, which then says why
        return render(request, "accounts/no_team.html", status=403)


class UserTimeZoneMiddleware:
    """Show every date and time in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            with timezone.override(user.zone):
                return self.get_response(request)
        return self.get_response(request)


def mark_session_renewed(sender, request, user, **kwargs):
    """A fresh login counts as a renewal, so the next requests need no session write."""
    if getattr(request, "session", None) is not None:
        request.session[SessionIdleMiddleware.KEY] = int(time.time())


class SessionIdleMiddleware:
    """Sessions end after SESSION_IDLE_SECONDS without a request. Renewing the expiry on every
    request would write the session row every time; renewing once RENEW_SECONDS have passed
    keeps the idle timeout (to within those seconds) for one write per few minutes."""

    RENEW_SECONDS = 300
    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.RENEW_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it, new expiry
        return response
