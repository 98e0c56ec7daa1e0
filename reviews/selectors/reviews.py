"""Reads of stage reviews for the MSL whose KOLs were reviewed."""

from django.db.models import QuerySet

from reviews.models import StageReview


def unseen_reviews(*, owner_ids: list[int]) -> QuerySet[StageReview]:
    """Stage reviews of these people's active KOLs that they have not seen yet (1 query)."""
    return (
        StageReview.objects.filter(
            kol__owner_id__in=owner_ids, kol__is_archived=False, seen_at__isnull=True
        )
        .select_related("kol", "reviewer")
        .order_by("at", "pk")
    )
