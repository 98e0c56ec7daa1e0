"""Signing out also empties this browser of the person's pages, queue and drafts."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

# Cache Storage, IndexedDB, localStorage and the service worker, and the HTTP cache
# (static/js/offline/page.js also empties them itself before the form is sent).
CLEAR_SITE_DATA = '"cache", "storage"'

_logout = auth_views.LogoutView.as_view()


def sign_out(request: HttpRequest) -> HttpResponse:
    response = _logout(request)
    if request.method == "POST":
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
