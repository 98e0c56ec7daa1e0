from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo`: the demo data of every app, so it sits above them all."""

    name = "demo"
    verbose_name = "Demo data"
