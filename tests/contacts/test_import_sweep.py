"""Imports whose worker stopped, lost publishes, and "Try again": never an import in a request."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contacts import import_matching, import_writes, imports
from contacts.models import AuditEntry, ImportJob, Kol, StageChange
from contacts.tasks import import_publish, run_import, sweep_imports
from tests.conftest import client_for

STALE = imports.IMPORT_STALE_AFTER + datetime.timedelta(minutes=1)
# Row 6 repeats row 2's email: after a restart it must still read "duplicate of row 2".
ROWS = [
    ["Ann Arbor", "a@example.test"],
    ["Ben Bay", ""],
    ["Cy Cove", ""],
    ["Di Dale", ""],
    ["Ann Again", "a@example.test"],
]


class WorkerKilled(BaseException):
    """What the import sees when its process dies: nothing after it runs, not even `except`."""


@pytest.fixture
def job(owner, monkeypatch):
    """Queued and handed to the (in-memory) broker; no worker takes it until a test runs it."""
    monkeypatch.setattr(imports, "CHUNK", 2)
    job = ImportJob.objects.create(
        owner=owner, file_name="kols.csv", headers=["Name", "Email"], rows=ROWS, total=len(ROWS)
    )
    assert imports.import_queue(job=job, columns={"name": 0, "email": 1}, update_duplicates=False)
    import_publish(job_id=job.pk)
    job.refresh_from_db()
    assert job.published_at is not None
    return job


def die_in_chunk(monkeypatch, number: int) -> None:
    """The worker is killed while writing chunk `number` (1-based) of each run."""
    real, calls = import_writes.create_kols, []

    def create(*args, **kwargs):
        calls.append(1)
        if len(calls) % number == 0:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(import_writes, "create_kols", create)


def progress(client, job) -> str:
    return client.get(reverse("contacts:import_progress", args=[job.pk])).content.decode()


def try_again(client, job):
    return client.post(reverse("contacts:import_try_again", args=[job.pk]), follow=True)


def test_it_requeues_a_stopped_import_and_carries_on_importing_each_row_once(
    owner_client, job, monkeypatch
):
    with monkeypatch.context() as patch:
        die_in_chunk(patch, 2)
        with pytest.raises(WorkerKilled):
            imports.import_run(job_id=job.pk)
    job.refresh_from_db()
    # The first chunk is in; the second was rolled back whole.
    assert (job.status, job.processed, job.created_count, job.attempts) == ("running", 2, 2, 1)
    assert Kol.objects.count() == 2
    assert sweep_imports() == 0  # its heartbeat is fresh: it may still be working

    with time_machine.travel(timezone.now() + STALE, tick=False):
        assert "No progress for a minute or more" in progress(owner_client, job)
        assert sweep_imports() == 1
        job.refresh_from_db()
        assert (job.status, job.published_at) == ("queued", timezone.now())
        assert "carries on where it stopped" in progress(owner_client, job)

    assert imports.import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.created_count, job.attempts) == ("done", 5, 4, 2)
    assert job.skipped == [[6, "duplicate of row 2 in this file"]]
    names = Counter(Kol.objects.values_list("name", flat=True))
    assert names == Counter(["Ann Arbor", "Ben Bay", "Cy Cove", "Di Dale"])
    assert StageChange.objects.count() == 4
    assert AuditEntry.objects.filter(action="created", subject="KOL profile").count() == 4


def test_the_third_interrupted_attempt_ends_failed_with_a_message(owner_client, job, monkeypatch):
    die_in_chunk(monkeypatch, 1)
    now = timezone.now()
    for attempt in range(1, 4):
        with pytest.raises(WorkerKilled):
            imports.import_run(job_id=job.pk)
        now += STALE
        with time_machine.travel(now, tick=False):
            assert sweep_imports() == 1
        job.refresh_from_db()
        assert job.attempts == attempt
        assert job.status == ("queued" if attempt < 3 else "failed")

    assert job.error == imports.INTERRUPTED and job.finished_at == now
    assert not imports.import_run(job_id=job.pk)  # failed stays failed
    assert not Kol.objects.exists()  # no chunk half-written
    page = progress(owner_client, job)
    assert "The import stopped: it was interrupted 3 times" in page
    assert "upload the file again to import the rest" in page


def test_a_worker_that_lost_its_claim_stops_before_writing(job, monkeypatch):
    """Worker A stalls past the timeout; the sweep hands the job to worker B, which imports
    it; A wakes up and must neither write a row nor mark the job."""
    real_checker, woke = import_matching.Checker, []

    def stalled_checker(**kwargs):
        if not woke:
            woke.append(1)
            with time_machine.travel(timezone.now() + STALE, tick=False):
                assert sweep_imports() == 1
            assert imports.import_run(job_id=job.pk)  # worker B
        return real_checker(**kwargs)

    monkeypatch.setattr(import_matching, "Checker", stalled_checker)
    assert not imports.import_run(job_id=job.pk)  # worker A
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == ("done", 2, 4)
    assert Kol.objects.count() == 4


def test_the_sweep_sends_again_a_queued_job_whose_message_was_lost(job, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # "sent" shows as "imported"
    sent_at = ImportJob.objects.get(pk=job.pk).published_at
    assert sweep_imports() == 0  # sent moments ago: the worker may be busy
    assert ImportJob.objects.get(pk=job.pk).published_at == sent_at

    later = timezone.now() + imports.IMPORT_REPUBLISH_AFTER

    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    with monkeypatch.context() as patch, time_machine.travel(later, tick=False):
        patch.setattr(run_import, "apply_async", broker_down)
        assert sweep_imports() == 0
    job.refresh_from_db()
    assert (job.status, job.published_at) == ("queued", later)  # tried: next sweep retries

    with time_machine.travel(later + imports.IMPORT_REPUBLISH_AFTER, tick=False):
        assert sweep_imports() == 1
    assert ImportJob.objects.get(pk=job.pk).status == "done"
    assert Kol.objects.count() == 4


def test_try_again_sends_the_job_again_and_never_imports_in_the_request(
    owner_client, job, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    page = progress(owner_client, job)
    assert "Waiting for the background worker" in page and "Try again" not in page
    response = try_again(owner_client, job)
    assert response.status_code == 200 and "sent to the background worker moments ago" in (
        response.content.decode()
    )

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        assert "Try again" in progress(owner_client, job)
        page = try_again(owner_client, job).content.decode()
        assert "Sent to the background worker again" in page
        job.refresh_from_db()
        assert (job.status, job.published_at) == ("queued", timezone.now())
    assert not Kol.objects.exists()

    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(run_import, "apply_async", broker_down)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        page = try_again(owner_client, job).content.decode()
    assert "cannot be reached just now" in page
    assert ImportJob.objects.get(pk=job.pk).status == "queued" and not Kol.objects.exists()


def test_try_again_leaves_a_finished_job_alone(owner_client, job):
    assert imports.import_run(job_id=job.pk)
    response = owner_client.post(reverse("contacts:import_try_again", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1) and Kol.objects.count() == 4


@pytest.mark.parametrize("who", ["teammate", "outsider", "manager"])
def test_try_again_on_another_users_job_is_not_found(request, job, who):
    client = client_for(request.getfixturevalue(who))
    response = client.post(reverse("contacts:import_try_again", args=[job.pk]))
    assert response.status_code == 404
    assert ImportJob.objects.get(pk=job.pk).published_at == job.published_at


def test_try_again_takes_only_post(owner_client, job):
    url = reverse("contacts:import_try_again", args=[job.pk])
    assert owner_client.get(url).status_code == 405
    assert owner_client.put(url).status_code == 405
