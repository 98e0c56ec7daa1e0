"""Query counts that do not grow with the data: a page rendered at two sizes runs the SAME
number of queries. An upper bound (django_assert_max_num_queries) lets an N+1 creep in
under its slack; equality at two sizes does not.

    def test_x(owner_client, kol, assert_same_query_counts):
        def add(n):  # n more rows of each kind
            TouchpointFactory.create_batch(n, kol=kol)

        counts = assert_same_query_counts(owner_client, f"/kols/{kol.pk}/", add)
        assert "Words" in counts.large_page

`add(n)` is called with the small size (2) before the first measured request, then with the
difference (10) before the second, so the page holds 2 and then 12 rows of each kind. Each
measured request follows an unmeasured warm-up, so one-off work (a session touched, a cache
filled) falls outside both.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

SMALL, LARGE = 2, 12


@dataclass
class QueryCounts:
    small: int
    large: int
    small_page: str
    large_page: str


def _shape(sql: str) -> str:
    """The query without its literals: what repeats in an N+1."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"\(\s*(?:\?\s*,\s*)*\?\s*\)", "(?)", sql)


def _difference(small: list[str], large: list[str]) -> str:
    before, after = Counter(map(_shape, small)), Counter(map(_shape, large))
    lines = []
    for shape in sorted(set(before) | set(after)):
        if before[shape] != after[shape]:
            lines.append(f"  {before[shape]} -> {after[shape]}: {shape[:300]}")
    return "\n".join(lines)


def _measure(client, path: str, get_kwargs: dict) -> tuple[list[str], str]:
    warm_up = client.get(path, **get_kwargs)
    assert warm_up.status_code == 200, (path, warm_up.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **get_kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return [q["sql"] for q in captured.captured_queries], response.content.decode()


def same_query_counts(
    client,
    path: str,
    add: Callable[[int], object],
    *,
    sizes: tuple[int, int] = (SMALL, LARGE),
    **get_kwargs,
) -> QueryCounts:
    small_size, large_size = sizes
    assert 0 < small_size < large_size
    add(small_size)
    small, small_page = _measure(client, path, get_kwargs)
    add(large_size - small_size)
    large, large_page = _measure(client, path, get_kwargs)
    assert len(small) == len(large), (
        f"GET {path}: {len(small)} queries with {small_size} rows of each kind, "
        f"{len(large)} with {large_size}; the queries whose counts differ:\n"
        + _difference(small, large)
    )
    print(f"GET {path}: {len(small)} queries at {small_size} and at {large_size} rows")
    return QueryCounts(len(small), len(large), small_page, large_page)


@pytest.fixture
def assert_same_query_counts(db) -> Callable[..., QueryCounts]:
    """same_query_counts(client, path, add, sizes=(2, 12), **client.get kwargs)."""
    return same_query_counts
