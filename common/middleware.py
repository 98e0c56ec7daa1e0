"""Response headers every page gets, whatever view answered."""

from django.utils.cache import patch_vary_headers


class PrivateResponsesMiddleware:
    """- `Vary: HX-Request`: a URL answers a whole page or (for htmx) a part of it, so no cache
      may hand one to the other.
    - Signed-in answers (pages, data exports, CSV and XLSX files) hold personal data: no
      shared cache keeps them and the browser does not store them (`private, no-store`),
      unless the view chose its own Cache-Control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ["HX-Request"])
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
