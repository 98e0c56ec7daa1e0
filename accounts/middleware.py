import time

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect


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
