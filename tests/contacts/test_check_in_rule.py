"""What "check-in due" means is one rule with two forms: check_in_due_by (SQL, for the
lists, the feed and the scheduler) and is_check_in_due (a KOL in hand, for Today's "due
now"). They must agree on every KOL and every day."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import Kol, check_in_due_by, is_check_in_due
from tests.factories import KolFactory

pytestmark = pytest.mark.django_db


def test_the_sql_rule_and_the_python_rule_agree():
    today = timezone.localdate()
    offsets = [None, -30, -1, 0, 1, 6, 7, 8, 90]
    for offset in offsets:
        kol = KolFactory(name=f"Dr Offset {offset}")
        day = None if offset is None else today + datetime.timedelta(days=offset)
        Kol.objects.filter(pk=kol.pk).update(next_check_in_on=day)
    kols = list(Kol.objects.all())
    assert len(kols) == len(offsets)
    for shift in [-31, -1, 0, 1, 7, 91]:
        day = today + datetime.timedelta(days=shift)
        by_sql = set(Kol.objects.filter(check_in_due_by(day)).values_list("pk", flat=True))
        by_python = {kol.pk for kol in kols if is_check_in_due(kol, day)}
        assert by_sql == by_python, day
