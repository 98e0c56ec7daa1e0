"""Every page the bench measures runs the same SQL queries whatever the data size: the bench's
own seeding at two sizes (4x apart), the bench's own query counter."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bench import inprocess, seed
from bench import measures as bench_measures


def counts_at(kols: int) -> dict[str, int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # TRUNCATE refuses pending deferred checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", verbosity=0, interactive=False)
    seeded = seed.seed(
        kols,
        teams=2,
        msls_per_team=2,
        touchpoints=kols * 30,
        follow_ups=kols * 10,
        gives_and_asks=kols * 5,
    )
    emails = {"msl": seeded.msl_email, "manager": seeded.manager_email, "admin": seeded.admin_email}
    pages = [
        page for page in bench_measures.pages_for(seeded) if page.name != bench_measures.CEILING
    ]
    counted = inprocess.count_queries(pages, emails)
    assert {name: c["status"] for name, c in counted.items()} == dict.fromkeys(counted, 200)
    return {name: c["queries"] for name, c in counted.items()}


@pytest.mark.django_db  # flushed between the sizes inside the test's transaction
@override_settings(ALLOWED_HOSTS=["127.0.0.1", "testserver"])
def test_queries_per_page_do_not_grow_with_the_data():
    small = counts_at(40)
    large = counts_at(160)
    assert small == large
