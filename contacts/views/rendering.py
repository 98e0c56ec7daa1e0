"""One way to answer a page or an htmx request: the whole page, or the part htmx swaps."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# An invalid form answers 422 (htmx is configured to swap it, see base.html).
INVALID = 422
CONFLICT = 409


def render_page_or_part(
    request: HttpRequest, template: str, part: str, context: dict, *, status: int = 200
) -> HttpResponse:
    name = f"{template}#{part}" if request.htmx else template
    return render(request, name, context, status=status)
