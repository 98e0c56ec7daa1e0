"""Celery tasks: thin. They take ids, and call the services that do the work."""

from celery import shared_task

from engagements.services import reminders


@shared_task(name="engagements.tasks.dispatch_due_reminders", ignore_result=True)
def dispatch_due_reminders() -> dict:
    result = reminders.dispatch_due_reminders()
    return result.__dict__


@shared_task(name="engagements.tasks.send_reminder", ignore_result=True)
def send_reminder(reminder_id: int) -> str:
    return str(reminders.send_reminder(reminder_id))


@shared_task(name="engagements.tasks.send_reminders", ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> list[str]:
    """A batch of rows in one message: each is still claimed, sent and recorded on its own."""
    return [str(reminders.send_reminder(reminder_id)) for reminder_id in reminder_ids]
