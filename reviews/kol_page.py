"""What the reviews app adds to the KOL page (the page view composes it with the others)."""

from functools import cached_property

from django.http import HttpRequest

from common.rendering import wants_part
from contacts.models import Kol
from contacts.selectors import KolAccess
from reviews.forms.review import StageReviewForm
from reviews.models import StageReview
from reviews.services.reviews import stage_reviews_mark_seen


class ReviewPanel:
    """The KOL's reviews, newest first; read once, and only if the panel is rendered."""

    def __init__(self, kol: Kol, *, new_ids: frozenset[int] = frozenset(), rows=None):
        self.kol = kol
        self.new_ids = new_ids
        if rows is not None:
            self.__dict__["rows"] = rows

    @cached_property
    def rows(self) -> list[StageReview]:
        return list(StageReview.objects.filter(kol=self.kol).select_related("reviewer"))

    @property
    def latest(self) -> StageReview | None:
        return self.rows[0] if self.rows else None

    @property
    def earlier(self) -> list[StageReview]:
        return self.rows[1:]


def _owner_views_the_page(request: HttpRequest, access: KolAccess) -> bool:
    return access.is_owner and request.method == "GET" and not wants_part(request)


def kol_page_extras(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    panel = ReviewPanel(kol)
    if _owner_views_the_page(request, access):
        # The owner opened the page: what was unseen until now is marked "New" this once.
        rows = panel.rows
        new_ids = frozenset(review.pk for review in rows if review.seen_at is None)
        stage_reviews_mark_seen(ids=list(new_ids))
        panel = ReviewPanel(kol, new_ids=new_ids, rows=rows)
    return {
        "review_panel": panel,
        "review_form": StageReviewForm(kol=kol) if access.can_manage else None,
    }
