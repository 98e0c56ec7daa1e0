from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A KOL's data on request: export and erasure, across contacts, engagements, events,
    reviews and the reminder outbox (so it sits above them all)."""

    name = "privacy"
    verbose_name = "Privacy"
