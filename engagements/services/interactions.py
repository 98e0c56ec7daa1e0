"""The one place that keeps a KOL's last interaction (and so the check-in clock) correct."""

import datetime

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from contacts.models import Kol
from contacts.services import kol_refresh_check_in
from engagements.models import Give, Touchpoint


def _latest(model, field: str) -> Subquery:
    rows = model.objects.filter(kol=OuterRef("pk")).order_by().values("kol")
    return Subquery(rows.annotate(latest=Max(field)).values("latest"))


def kol_refresh_last_interaction(*, kol: Kol) -> None:
    """Any touchpoint or give resets the clock; editing or deleting one recomputes it. One
    query reads the latest of both, one writes the last interaction and the next check-in."""
    latest = (
        Kol.objects.filter(pk=kol.pk)
        .values(touchpoint=_latest(Touchpoint, "occurred_at"), give=_latest(Give, "given_on"))
        .get()
    )
    candidates = [latest["touchpoint"]] if latest["touchpoint"] else []
    if latest["give"]:
        noon = datetime.time(12, 0, tzinfo=timezone.get_default_timezone())
        candidates.append(datetime.datetime.combine(latest["give"], noon))
    kol.last_interaction_at = max(candidates) if candidates else None
    kol_refresh_check_in(kol=kol, also=("last_interaction_at",))
