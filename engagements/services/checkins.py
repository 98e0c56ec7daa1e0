"""Due check-ins become follow-ups: on the owner's own date, once per cadence cycle."""

import datetime

from django.db import connection
from django.utils import timezone

from accounts.models import local_dates
from contacts.models import STAGE_CADENCE_DAYS

# One statement, whatever the number of KOLs: the owner's today comes from a CASE over the
# few time zones people use. The partial unique index followup_check_in_cycle_once (one per
# KOL and cycle) makes a second run, or two dispatchers at once, insert nothing; a KOL with
# an open check-in (snoozed, or added by hand) gets no second one.
SCHEDULE_CHECK_INS_SQL = """
INSERT INTO engagements_followup
    (kol_id, owner_id, due_on, check_in_for, kind, text, status, created_at)
SELECT k.id, k.owner_id, k.next_check_in_on, k.next_check_in_on, 'check_in',
       'Check in with ' || k.name || ': it has been '
       || CAST(COALESCE(k.cadence_days, CASE k.stage
              WHEN 'establishing' THEN %(establishing)s
              WHEN 'developing' THEN %(developing)s
              ELSE %(maintaining)s END) AS VARCHAR(8))
       || ' days since you were last in touch.',
       'open', %(now)s
FROM contacts_kol k
JOIN accounts_user u ON u.id = k.owner_id
WHERE k.is_archived = %(false)s AND u.is_active = %(true)s
  AND k.next_check_in_on <= {owner_today}
  AND NOT EXISTS (
      SELECT 1 FROM engagements_followup o
      WHERE o.kol_id = k.id AND o.kind = 'check_in' AND o.status = 'open'
  )
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


def _owner_today_sql(now: datetime.datetime, params: dict) -> str:
    """`CASE u.time_zone WHEN ... THEN <that zone's date> ... END` (accounts.local_dates)."""
    whens = []
    for number, (name, day) in enumerate(sorted(local_dates(now).items())):
        params[f"zone{number}"] = name
        params[f"day{number}"] = day
        whens.append(f"WHEN %(zone{number})s THEN %(day{number})s")
    params["utc_day"] = now.astimezone(datetime.UTC).date()
    if not whens:  # nobody active: any date will do, the join finds no owner anyway
        return "%(utc_day)s"
    return f"CASE u.time_zone {' '.join(whens)} ELSE %(utc_day)s END"


def check_ins_schedule(*, now: datetime.datetime | None = None) -> int:
    """Each active KOL whose check-in has come on its owner's date gets one check-in
    follow-up for this cadence cycle. Returns how many were created."""
    now = now or timezone.now()
    params = {
        "now": now,
        "false": False,
        "true": True,
        **{stage.value: days for stage, days in STAGE_CADENCE_DAYS.items()},
    }
    sql = SCHEDULE_CHECK_INS_SQL.format(owner_today=_owner_today_sql(now, params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = cursor.rowcount
        if created:
            cursor.execute(AUDIT_CHECK_INS_SQL, {"now": now})
    return created
