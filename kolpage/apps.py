from django.apps import AppConfig


class KolPageConfig(AppConfig):
    """The KOL page: composes the parts that contacts, engagements and reviews own."""

    name = "kolpage"
    verbose_name = "KOL page"
