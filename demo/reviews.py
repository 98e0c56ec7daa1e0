"""Demo stage reviews, so the manager's panels and the MSLs' review panels have a story."""

import datetime

from accounts.models import User
from contacts.models import Kol, Stage
from reviews.models import StageReview

# (KOL index among the team's active KOLs by name, verdict, suggested stage, comment, days ago)
REVIEWS = [
    (0, "agree", "", "Good momentum: keep the quarterly rhythm.", 20),
    (
        3,
        "suggest",
        Stage.DEVELOPING,
        "Two advisory boards and a shared registry idea: this looks like developing to me. Agree?",
        12,
    ),
    (
        7,
        "suggest",
        Stage.ESTABLISHING,
        "No two-way contact since the summer: treat it as "
        "establishing again and ask what changed for her.",
        6,
    ),
    (11, "agree", "", "Nice balance of gives and asks.", 3),
]


def seed_reviews(*, manager: User, now: datetime.datetime) -> dict[str, int]:
    """Idempotent: nothing is added once the manager has reviewed anything."""
    if StageReview.objects.filter(reviewer=manager).exists():
        return {"stage reviews": 0}
    kols = list(Kol.objects.filter(is_archived=False).order_by("name"))
    rows = [
        StageReview(
            kol=kols[index],
            reviewer=manager,
            at=now - datetime.timedelta(days=days),
            stage_at_review=kols[index].stage,
            verdict=verdict,
            suggested_stage=suggested if suggested != kols[index].stage else "",
            comment=comment,
        )
        for index, verdict, suggested, comment, days in REVIEWS
        if index < len(kols)
    ]
    StageReview.objects.bulk_create(rows)
    return {"stage reviews": len(rows)}
