"""Signals the engagements app sends on purpose, for apps above it to react."""

from django.dispatch import Signal

# A KOL's personal data was erased (kwargs: kol, follow_up_ids, name): whatever an app above
# keeps about that KOL's follow-ups (the reminder outbox's subjects) must forget it too.
kol_erased = Signal()
