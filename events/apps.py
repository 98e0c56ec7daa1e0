from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events and opportunities: below engagements, above contacts and accounts."""

    name = "events"
    verbose_name = "Events and opportunities"
