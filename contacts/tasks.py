"""Celery tasks for KOL data: thin, they take an id and call the service."""

from celery import shared_task

from contacts import imports


# Reading stops itself after spreadsheets.READ_SECONDS (30) of CPU; these are a backstop
# (imports.READ_STALE_AFTER must stay longer than the hard limit).
@shared_task(
    name="contacts.tasks.read_import", ignore_result=True, soft_time_limit=90, time_limit=120
)
def read_import(job_id: int) -> bool:
    return imports.import_read(job_id=job_id)


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
