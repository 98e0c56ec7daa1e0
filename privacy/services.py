"""Erasing a KOL's data on their request: `kol_erase` blanks the person's data in one
transaction but keeps the rows (kind, date, who), so team counts, stage statistics and the
ledger balance stay true."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import AuditEntry, Goal, ImportJob, Interest, Kol, StageChange
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Touchpoint
from reminders import erasure as reminder_erasure
from reviews.models import StageReview
from voice import services as voice_services

ERASED_SUMMARY = "(erased)"


KOL_BLANKED = {
    "credentials": "",
    "specialty": "",
    "institution": "",
    "city": "",
    "country": "",
    "email": "",
    "phone": "",
    "profile_url": "",
    "from_where": "",
    "trained_at": "",
    "passions": "",
    "preferred_channel": "",
    "cadence_days": None,
    "email_consent": False,
    "email_consent_on": None,
}
TOUCHPOINT_TEXTS = ["summary", "they_said", "feedback", "questions_text", "next_steps", "where"]
PLAN_TEXTS = ["objectives", "kol_input", "who_interacts", "outcome_measures"]


def erased_name(kol: Kol) -> str:
    return f"Erased KOL #{kol.pk}"


def _names_them(row: Any, identifiers: set[str]) -> bool:
    cells = row.values() if isinstance(row, dict) else row or []
    return any(str(cell).strip().lower() in identifiers for cell in cells)


def _scrub_import_jobs(kol: Kol, identifiers: set[str]) -> None:
    """Uploaded lists keep their rows for the import preview: drop this person's rows."""
    for job in ImportJob.objects.filter(owner_id=kol.owner_id).only("pk", "rows"):
        kept = [row for row in job.rows if not _names_them(row, identifiers)]
        if len(kept) != len(job.rows):
            ImportJob.objects.filter(pk=job.pk).update(rows=kept)


@transaction.atomic
def kol_erase(*, kol: Kol, by: User) -> Kol:
    """Erase the person's data on their request. The rows stay, their words go."""
    identifiers = {v.strip().lower() for v in (kol.name, kol.email, kol.phone) if v.strip()}
    now = timezone.now()
    Kol.objects.filter(pk=kol.pk).update(
        name=erased_name(kol),
        erased_at=now,
        is_archived=True,
        version=F("version") + 1,
        updated_at=now,
        **KOL_BLANKED,
    )
    kol.therapeutic_areas.clear()
    kol.events_attended.clear()
    Interest.objects.filter(kol=kol).update(note="")
    Goal.objects.filter(kol=kol).update(text="", in_it_for_kol="")
    Touchpoint.objects.filter(kol=kol).update(**dict.fromkeys(TOUCHPOINT_TEXTS, ""))
    Give.objects.filter(kol=kol).update(note="", response="")
    Ask.objects.filter(kol=kol).update(in_it_for_kol="", outcome="")
    follow_ups = FollowUp.objects.filter(kol=kol)
    follow_up_ids = list(follow_ups.values_list("pk", flat=True))
    follow_ups.update(text="")
    # privacy sits above reminders, so it tells the outbox directly (no signal needed).
    reminder_erasure.forget_erased_kol(follow_up_ids=follow_up_ids, name=erased_name(kol))
    EngagementPlan.objects.filter(kol=kol).update(**dict.fromkeys(PLAN_TEXTS, ""))
    StageChange.objects.filter(kol=kol).update(reason="")
    StageReview.objects.filter(kol=kol).update(comment="")
    # Their personal links stop and what they told us through them goes.
    voice_services.forget_kol(kol=kol, reason="personal data erased")
    AuditEntry.objects.filter(kol=kol).update(changes={}, summary=ERASED_SUMMARY)
    _scrub_import_jobs(kol, identifiers)
    audit.record(
        kol=kol,
        actor=by,
        action=AuditEntry.Action.ERASED,
        subject="personal data",
        subject_id=kol.pk,
        summary="Personal data erased on the person's request",
    )
    kol.refresh_from_db()
    return kol
