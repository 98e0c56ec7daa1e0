"""Answers for the parts of a composed page (the KOL page: kolpage/).

A part's view builds only its own part's context and answers with `part_answer`:
- htmx gets `template#part`, rendered from that context alone;
- a plain form post that worked is redirected to the page, at the part;
- anything else (a plain GET of a part's URL, a plain post with errors or a conflict)
  needs the whole page around the part. The part cannot build it: the page sits above the
  apps that own its parts. So the answer is a `PageNeeded`, a response not yet rendered,
  which the page's URLconf completes with the rest of the page (kolpage.views.compose).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers

from common.rendering import wants_part


class PageNeeded(TemplateResponse):
    """A part's answer that must be shown inside the whole page. `context_data` holds the
    part's own context; the page composer adds the rest and sets the page's template. Left
    uncomposed it renders the part alone, never a blank page."""

    def __init__(self, request, template: str, part: str, context: dict, *, status: int):
        super().__init__(request, f"{template}#{part}", context, status=status)
        self.part = part


def part_answer(
    request: HttpRequest,
    *,
    template: str,
    part: str,
    context: dict,
    page_url: str,
    status: int = 200,
) -> HttpResponse:
    if wants_part(request):
        response = TemplateResponse(request, f"{template}#{part}", context, status=status)
    elif request.method == "POST" and status == 200:
        response = redirect(f"{page_url}#{part}")
    else:
        response = PageNeeded(request, template, part, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
