"""What the service worker (static/root/sw.js) needs to know about a page it may keep."""

# The service worker keeps a signed-in page in that person's own cache only: this header
# says whose page it is (a page alone cannot tell, and the worker sees no cookies).
USER_HEADER = "X-Offline-User"


class OfflineUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response[USER_HEADER] = str(user.pk)
        return response
