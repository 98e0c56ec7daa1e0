"""Lazy context values for pages whose parts are also rendered alone (htmx)."""

import functools
from collections.abc import Callable, Hashable

from django.utils.functional import SimpleLazyObject


def lazy_split(fetch: Callable[[], dict], *keys: Hashable) -> tuple[SimpleLazyObject, ...]:
    """One query, several parts: each part runs `fetch` on first use (once for all of them),
    so a part rendered alone costs the one query and the whole page no more."""
    fetched = functools.cache(fetch)
    return tuple(
        SimpleLazyObject(functools.partial(lambda key: fetched()[key], key)) for key in keys
    )
