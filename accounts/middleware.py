import zoneinfo

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
            with timezone.override(zoneinfo.ZoneInfo(user.time_zone)):
                return self.get_response(request)
        return self.get_response(request)
