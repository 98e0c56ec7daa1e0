"""An imported KOL's first check-in counts from the import, or from the file's last contact,
and Today lists each imported KOL once (issue 17)."""

import datetime

import time_machine
from django.utils import timezone

from contacts.models import Kol
from engagements.selectors.today import today_lists
from engagements.services.checkins import check_ins_schedule
from tests.contacts.test_import import import_csv


def test_the_first_check_in_counts_from_the_import_without_a_last_contact(owner_client, owner):
    import_csv(owner_client, "Name,Hospital\nAda Byron,Leeds\nBea Quist,York\n")

    for kol in Kol.objects.filter(owner=owner):
        assert kol.last_interaction_at is None
        assert kol.next_check_in_on == owner.today() + datetime.timedelta(days=30)
    check_ins_schedule()
    lists = today_lists(owner, today=owner.today())
    assert lists.due == [] and lists.check_ins == []


def test_a_last_contact_column_counts_in_the_owners_own_day(owner_client, owner):
    owner.time_zone = "Pacific/Auckland"
    owner.save()
    import_csv(owner_client, "Name,Last contact\nAda Byron,2026-11-20\n")

    kol = Kol.objects.get(owner=owner)
    assert kol.last_interaction_at.astimezone(owner.zone).date() == datetime.date(2026, 11, 20)
    assert kol.next_check_in_on == datetime.date(2026, 12, 20)


def test_an_imported_kol_long_out_of_touch_is_on_today_once(owner_client, owner):
    with time_machine.travel(timezone.now(), tick=False):
        import_csv(owner_client, "Name,Last contact\nAda Byron,2024-01-01\nBea Quist,2024-01-02\n")
        before = today_lists(owner, today=owner.today())
        check_ins_schedule()
        after = today_lists(owner, today=owner.today())

    assert [k.name for k in before.check_ins] == ["Ada Byron", "Bea Quist"] and before.due == []
    names = [f.kol.name for f in after.due] + [k.name for k in after.check_ins]
    assert sorted(names) == ["Ada Byron", "Bea Quist"]
