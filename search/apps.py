from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search what KOLs said: reads contacts and engagements, writes nothing."""

    name = "search"
    verbose_name = "Search"
