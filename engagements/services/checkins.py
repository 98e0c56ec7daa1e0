"""Due check-ins become follow-ups: on the owner's own date, once per cadence cycle."""

import datetime

from django.db import connection
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import today_of
from contacts.models import Kol, cadence_of_row, check_in_due_by
from engagements.models import FollowUp

# One statement, whatever the number of KOLs; the rows come from the same rules every page
# uses (check_in_due_by on the owner's own date, accounts.today_of; the cadence,
# cadence_of_row). The partial unique index followup_check_in_cycle_once (one per KOL and
# cycle) makes a second run, or two dispatchers at once, insert nothing; a KOL with an open
# check-in (snoozed, or added by hand) gets no second one.
INSERT_CHECK_INS_SQL = """
INSERT INTO engagements_followup
    (kol_id, owner_id, due_on, check_in_for, kind, text, status, created_at)
{select}
ON CONFLICT DO NOTHING
"""
# The History panel records system-scheduled check-ins too (no actor: the system did it).
AUDIT_CHECK_INS_SQL = """
INSERT INTO contacts_auditentry
    (kol_id, actor_id, at, action, subject, subject_id, summary, changes)
SELECT f.kol_id, NULL, %(now)s, 'created', 'follow-up', f.id, SUBSTR(f.text, 1, 300), '{}'
FROM engagements_followup f
WHERE f.kind = 'check_in' AND f.created_at = %(now)s
"""


def _due_check_ins(now: datetime.datetime):
    """The follow-up rows to insert, as a query: its columns in INSERT_CHECK_INS_SQL's order."""
    open_check_in = FollowUp.objects.filter(
        kol=OuterRef("pk"), kind=FollowUp.Kind.CHECK_IN, status=FollowUp.Status.OPEN
    )
    text = Concat(
        Value("Check in with "),
        "name",
        Value(": it has been "),
        Cast(cadence_of_row(), CharField()),
        Value(" days since you were last in touch."),
        output_field=CharField(),
    )
    rows = (
        Kol.objects.filter(
            check_in_due_by(today_of("owner__time_zone", now)),
            is_archived=False,
            owner__is_active=True,
        )
        .exclude(Exists(open_check_in))
        .annotate(
            c_check_in_for=F("next_check_in_on"),
            c_kind=Value(FollowUp.Kind.CHECK_IN.value, output_field=CharField()),
            c_text=text,
            c_status=Value(FollowUp.Status.OPEN.value, output_field=CharField()),
            c_created=Value(now, output_field=DateTimeField()),
        )
    )
    return rows.order_by().values_list(
        "pk",
        "owner_id",
        "next_check_in_on",
        "c_check_in_for",
        "c_kind",
        "c_text",
        "c_status",
        "c_created",
    )


def check_ins_schedule(*, now: datetime.datetime | None = None) -> int:
    """Each active KOL whose check-in has come on its owner's date gets one check-in
    follow-up for this cadence cycle. Returns how many were created."""
    now = now or timezone.now()
    sql, params = _due_check_ins(now).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_CHECK_INS_SQL.format(select=sql), params)
        created = cursor.rowcount
        if created:
            cursor.execute(AUDIT_CHECK_INS_SQL, {"now": now})
    return created
