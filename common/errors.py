"""Site-wide error pages (wired in kolcrm/urls.py)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.views import defaults
from django_htmx.http import reswap, retarget

from common.text import TEXT_MAX_CHARS


def bad_request(request, exception):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (a pasted document, say) gets a page that says
    so; any other bad request gets Django's plain answer."""
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    context = {
        "limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024),
        "text_max_chars": f"{TEXT_MAX_CHARS:,}",
    }
    if getattr(request, "htmx", False):
        # Shown in the page's messages; the form keeps what was typed (base.html swaps 413).
        response = render(request, "413.html#message", context, status=413)
        return reswap(retarget(response, "#messages"), "innerHTML")
    return render(request, "413.html", context, status=413)
