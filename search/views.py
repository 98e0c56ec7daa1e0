"""Search what KOLs said: one box, touchpoints and KOLs the user may see."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from common.rendering import render_page_or_part
from search import selectors

TEMPLATE = "search/search.html"


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = selectors.normalise(request.GET.get("q"))
    results = selectors.search(request.user, query) if query else None
    context = {"q": query, "results": results, "limit": selectors.LIMIT}
    return render_page_or_part(request, TEMPLATE, "results", context)
