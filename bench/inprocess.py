"""SQL queries per page, in-process through the test Client (`manage.py bench_prepare`,
which `make bench` runs, and the tests)."""

import time
import urllib.parse

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from bench.load import touchpoint_body
from bench.measures import Page


def count_queries(pages: list[Page], emails: dict[str, str]) -> dict[str, dict]:
    """SQL queries per request, in-process through the test Client (second request)."""
    clients = {}
    for role, email in emails.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        clients[role] = client
    counts = {}
    for page in pages:
        client = clients[page.role]
        for _ in range(2):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                if page.method == "POST":
                    body = dict(urllib.parse.parse_qsl(touchpoint_body("")))
                    response = client.post(page.path, body, HTTP_HX_REQUEST="true")
                else:
                    response = client.get(page.path)
            wall = time.perf_counter() - began
        counts[page.name] = {
            "queries": len(captured.captured_queries),
            "status": response.status_code,
            "wall_ms": round(wall * 1000, 1),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "slowest_sql": max(
                captured.captured_queries, key=lambda q: float(q["time"]), default={}
            ).get("sql", ""),
        }
    return counts
