"""The database connection drops in the middle of a user action.

The server kills our session right before the action's second write. The user gets our
plain error page (not a traceback) and the first write is gone too: one transaction per
action. PostgreSQL only: pytest-django's SQLite test database lives in memory, and a
dropped connection would take the whole database with it.
"""

import contextlib
import datetime
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import AuditEntry, Kol, StageChange
from engagements.models import FollowUp, Touchpoint
from tests.conftest import HTMX

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the SQLite test database is in memory",
    ),
]


@contextlib.contextmanager
def connection_dropped_before_insert_into(table: str):
    """Terminate this connection's server process just before the first INSERT into `table`."""
    dropped = []

    def wrapper(execute, sql, params, many, context):
        if not dropped and sql.startswith(f'INSERT INTO "{table}"'):
            pid = context["connection"].connection.info.backend_pid
            killer = connections.create_connection("default")
            try:
                with killer.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                killer.close()
            dropped.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield dropped


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    return client


def _assert_error_page(response) -> None:
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "psycopg" not in page and "INSERT" not in page


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_keeps_no_half_logged_touchpoint_when_the_connection_drops(owner, kol, htmx):
    client = _client(owner)
    data = {
        "form_token": str(uuid.uuid4()),
        "kind": "meeting",
        "occurred_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "they_said": "Referral is the bottleneck.",
        "next_steps": "Send the registry protocol",
    }
    audit_before = AuditEntry.objects.count()
    url = reverse("kol:touchpoint_add", args=[kol.pk])

    with connection_dropped_before_insert_into("engagements_followup") as dropped:
        response = client.post(url, data, **(HTMX if htmx else {}))

    assert dropped, "the follow-up INSERT was never reached"
    _assert_error_page(response)
    connection.close()  # the test's own handle died with the server process
    assert not Touchpoint.objects.exists()
    assert not FollowUp.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    kol.refresh_from_db()
    assert kol.last_interaction_at is None

    # Once the database is back, the same form goes through, once.
    assert client.post(url, data, **(HTMX if htmx else {})).status_code in {200, 302}
    assert Touchpoint.objects.count() == 1 and FollowUp.objects.count() == 2


def test_it_keeps_the_stage_when_the_connection_drops_mid_change(owner, kol):
    client = _client(owner)
    version = kol.version
    changes_before = StageChange.objects.count()
    audit_before = AuditEntry.objects.count()

    with connection_dropped_before_insert_into("contacts_stagechange") as dropped:
        response = client.post(
            reverse("kol:kol_stage_change", args=[kol.pk]),
            {"to_stage": "developing", "reason": "Two-way contact", "version": version},
        )

    assert dropped
    _assert_error_page(response)
    connection.close()
    fresh = Kol.objects.get(pk=kol.pk)
    assert (fresh.stage, fresh.version) == ("establishing", version)
    assert StageChange.objects.count() == changes_before
    assert AuditEntry.objects.count() == audit_before
