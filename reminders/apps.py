from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders"

    def ready(self) -> None:
        # The domain apps announce an erasure; the outbox forgets what it said of that KOL.
        from reminders import receivers  # noqa: F401
