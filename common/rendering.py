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


# The KOL page's add-forms are collapsed in <details> and built only when opened: htmx asks
# the KOL page for the form alone (`?open=<name>`, contacts/views/kols.py: LAZY_FORMS) when
# the <details> opens; without JavaScript the <details> holds a link to the page with that
# form open (the same `?open=<name>`). Building and rendering them on every view of the
# page was half its time.
OPEN = "open"


def opened(request: HttpRequest, name: str) -> bool:
    """Whether the request asks for the collapsed form `name` (?open=name)."""
    return request.GET.get(OPEN) == name


def render_page_or_part(
    request: HttpRequest, template: str, part: str, context: dict, *, status: int = 200
) -> HttpResponse:
    name = f"{template}#{part}" if wants_part(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def shown_count(request: HttpRequest, name: str, *, step: int, most: int) -> int:
    """How many items a "Show more" list shows: ?name=N, rounded down to a whole number of
    steps and kept between one step and `most`; anything unreadable is one step."""
    try:
        wanted = int(request.GET.get(name, step))
    except ValueError:
        return step
    return min(max(step, wanted - wanted % step), most)
