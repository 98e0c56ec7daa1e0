"""Writes for stage reviews. A review is kept as written; the MSL sees it once."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import AuditEntry, Kol, Stage
from reviews.models import StageReview


@transaction.atomic
def stage_review_record(
    *, kol: Kol, by: User, verdict: str, suggested_stage: str = "", comment: str = ""
) -> StageReview:
    """Record a manager's review of the KOL's current stage (and its History entry)."""
    suggesting = verdict == StageReview.Verdict.SUGGEST
    review = StageReview.objects.create(
        kol=kol,
        reviewer=by,
        stage_at_review=kol.stage,
        verdict=verdict,
        suggested_stage=suggested_stage if suggesting else "",
        comment=comment.strip(),
    )
    current = kol.get_stage_display()
    summary = (
        f"suggests {Stage(review.suggested_stage).label} instead of {current}"
        if suggesting
        else f"agrees with {current}"
    )
    audit.record(
        kol=kol,
        actor=by,
        action=AuditEntry.Action.CREATED,
        subject="stage review",
        subject_id=review.pk,
        summary=summary,
        changes=audit.diff({}, audit.snapshot(review)),
    )
    return review


def stage_reviews_mark_seen(*, ids: list[int], at: datetime.datetime | None = None) -> int:
    """The MSL has seen these reviews (one UPDATE; ones already seen keep their time)."""
    if not ids:
        return 0
    return StageReview.objects.filter(pk__in=ids, seen_at=None).update(seen_at=at or timezone.now())
