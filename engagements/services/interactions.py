"""The one place that keeps a KOL's last interaction (and so the check-in clock) correct."""

import datetime

from django.db.models import Max
from django.utils import timezone

from contacts.models import Kol
from contacts.services import kol_refresh_check_in
from engagements.models import Give, Touchpoint


def kol_refresh_last_interaction(*, kol: Kol) -> None:
    """Any touchpoint or give resets the clock; editing or deleting one recomputes it."""
    last_touchpoint = Touchpoint.objects.filter(kol=kol).aggregate(at=Max("occurred_at"))["at"]
    last_give = Give.objects.filter(kol=kol).aggregate(on=Max("given_on"))["on"]
    candidates = [last_touchpoint] if last_touchpoint else []
    if last_give:
        noon = datetime.time(12, 0, tzinfo=timezone.get_default_timezone())
        candidates.append(datetime.datetime.combine(last_give, noon))
    kol.last_interaction_at = max(candidates) if candidates else None
    Kol.objects.filter(pk=kol.pk).update(last_interaction_at=kol.last_interaction_at)
    kol_refresh_check_in(kol=kol)
