"""One way to answer a page or an htmx request: the whole page, or the part htmx swaps."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

# An invalid form answers 422, a stale edit 409 (htmx is configured to swap both: base.html).
INVALID = 422
CONFLICT = 409


def wants_part(request: HttpRequest) -> bool:
    # A history restore (back button after hx-push-url) needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_part(
    request: HttpRequest, template: str, part: str, context: dict, *, status: int = 200
) -> HttpResponse:
    name = f"{template}#{part}" if wants_part(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
