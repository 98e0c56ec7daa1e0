"""Celery tasks for KOL data: thin, they take an id and call the service."""

from celery import shared_task

from contacts import imports


# An import of 20,000 rows may take longer than the default one-minute limit.
@shared_task(
    name="contacts.tasks.run_import", ignore_result=True, soft_time_limit=600, time_limit=660
)
def run_import(job_id: int) -> bool:
    return imports.import_run(job_id=job_id)


# On the beat schedule: re-queues imports whose worker stopped, re-sends lost publishes.
@shared_task(name="contacts.tasks.sweep_imports", ignore_result=True)
def sweep_imports() -> int:
    return imports.imports_sweep()
