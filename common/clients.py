"""Who is asking: the client's address, the one rule sign-in throttling and password-reset
limits key on."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client, not of our proxy.

    With TRUSTED_PROXY_COUNT = N > 0 (N proxies we run, each appending the address it saw
    to X-Forwarded-For), the client is the Nth entry from the right: entries further left
    are whatever the client sent and may be forged. With 0 (nothing in front), REMOTE_ADDR.
    A request that did not pass through all N proxies falls back to REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
