"""What the outbox forgets when a KOL's data is erased (privacy.services.kol_erase calls it)."""

from reminders.models import Reminder


def forget_erased_kol(*, follow_up_ids: list[int], name: str) -> None:
    """Sent-reminder subjects name the KOL ("Due today: ... for Dr X"); waiting ones stop."""
    rows = Reminder.objects.filter(
        kind=Reminder.Kind.FOLLOW_UP, object_key__in=[f"followup:{pk}" for pk in follow_up_ids]
    )
    rows.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SKIPPED, reason="The KOL's data was erased."
    )
    rows.update(subject=f"Follow-up for {name}")
