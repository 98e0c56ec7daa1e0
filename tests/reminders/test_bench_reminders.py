"""`manage.py bench_reminders`: its core runs on the test database at tiny sizes."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from bench.dispatch import bench_size


def measure(kols: int):
    """One size, rolled back afterwards so the next size starts from an empty database."""
    with transaction.atomic():
        result = bench_size(kols, msls=10)
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_dispatch_queries_do_not_grow_with_kols_and_a_second_run_creates_nothing():
    small, large = measure(50), measure(200)

    assert small.first.check_ins_scheduled > 0 and small.first.reminders_created > 0
    assert large.first.check_ins_scheduled > small.first.check_ins_scheduled
    assert large.first.reminders_created > small.first.reminders_created
    assert small.first.queries == large.first.queries
    for result in (small, large):
        assert result.second.check_ins_scheduled == 0
        assert result.second.reminders_created == 0


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_the_command_refuses_sqlite_without_allow_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_reminders", "--sizes", "10")
