"""Reads for the give and ask ledger."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from contacts.models import Interest, Kol, Topic
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


def _on_their_interest() -> Exists:
    """True when the entry's topic is one of the KOL's interests (a give that fits them)."""
    return Exists(Interest.objects.filter(kol=OuterRef("kol"), topic=OuterRef("topic")))


def kol_recent_gives(kol: Kol) -> QuerySet[Give]:
    """The ledger's gives, newest first: one query whatever the number of rows."""
    return (
        Give.objects.filter(kol=kol, given_on__gte=balance_since())
        .select_related("topic__area", "by")
        .annotate(on_their_interest=_on_their_interest())
    )


def kol_recent_asks(kol: Kol) -> QuerySet[Ask]:
    return Ask.objects.filter(kol=kol, asked_on__gte=balance_since()).select_related("by")


def kol_ledger(kol: Kol) -> dict:
    """The ledger part: the last 12 months' "gives" and "asks", and their "balance" counted
    from those rows (two queries, not four)."""
    gives, asks = list(kol_recent_gives(kol)), list(kol_recent_asks(kol))
    return {"gives": gives, "asks": asks, "balance": Balance(gives=len(gives), asks=len(asks))}


def topics_for_give(kol: Kol) -> QuerySet[Topic]:
    """Every topic, flagged `is_theirs` when it is one of the KOL's interests (one query)."""
    theirs = Interest.objects.filter(kol=kol, topic=OuterRef("pk"))
    return (
        Topic.objects.select_related("area")
        .annotate(is_theirs=Exists(theirs))
        .order_by("area__name", "name")
    )
