from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks (`make bench`, `manage.py bench_reminders`, `manage.py bench_search`):
    they seed and measure every app, so they sit at the top."""

    name = "bench"
    verbose_name = "Benchmarks"
