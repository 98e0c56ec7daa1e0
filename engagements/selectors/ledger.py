"""Reads for the give and ask ledger."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from contacts.models import Kol
from engagements.models import Ask, Give

BALANCE_MONTHS = 12


@dataclass(frozen=True)
class Balance:
    gives: int
    asks: int

    @property
    def ask_heavy(self) -> bool:
        """A relationship that only asks is in trouble: warn when asks outnumber gives."""
        return self.asks > self.gives


def balance_since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=365 * BALANCE_MONTHS // 12)


def kol_balance(kol: Kol) -> Balance:
    """Gives vs asks over the last 12 months (two COUNT queries)."""
    since = balance_since()
    return Balance(
        gives=Give.objects.filter(kol=kol, given_on__gte=since).count(),
        asks=Ask.objects.filter(kol=kol, asked_on__gte=since).count(),
    )
