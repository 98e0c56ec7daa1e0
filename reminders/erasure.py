"""What the outbox does when a domain app announces something (connected in apps.ready)."""

from django.dispatch import receiver

from engagements.signals import kol_erased
from reminders.models import Reminder


@receiver(kol_erased, dispatch_uid="reminders.forget_erased_kol")
def forget_erased_kol(sender, *, kol, follow_up_ids, name, **kwargs) -> None:
    """Sent-reminder subjects name the KOL ("Due today: ... for Dr X"); waiting ones stop."""
    rows = Reminder.objects.filter(
        kind=Reminder.Kind.FOLLOW_UP, object_key__in=[f"followup:{pk}" for pk in follow_up_ids]
    )
    rows.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.SKIPPED, reason="The KOL's data was erased."
    )
    rows.update(subject=f"Follow-up for {name}")
