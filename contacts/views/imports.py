"""KOL data: imports. Upload a CSV or XLSX, wait while it is read, map its columns, watch the
import, get the skips."""

import csv
import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from common.rendering import INVALID, render_page_or_part, wants_part
from contacts import import_matching, imports, spreadsheet_limits
from contacts.models import ImportJob
from contacts.tasks import import_publish

# "Try again" shows once the job has waited this long since it was handed to the broker.
TRY_AGAIN_AFTER = datetime.timedelta(seconds=30)
# A running import with no heartbeat for this long says so (the sweep re-queues it later).
STALLED_AFTER = datetime.timedelta(minutes=1)
TRY_AGAIN_MESSAGES = {
    imports.Published.SENT: "Sent to the background worker again: the import starts as soon "
    "as a worker is free.",
    imports.Published.NOT_DUE: "The import was sent to the background worker moments ago: "
    "give it a few seconds.",
    imports.Published.BROKER_DOWN: "The background worker cannot be reached just now. The "
    "import stays queued and is sent again automatically within a few minutes.",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Your KOL list",
        help_text="A CSV (comma, semicolon or tab separated) or an Excel .xlsx file with a "
        f"header row; up to 5 MB and {spreadsheet_limits.MAX_ROWS:,} rows of up to "
        f"{spreadsheet_limits.MAX_COLUMNS} columns.",
    )


class MappingForm(forms.Form):
    update_duplicates = forms.BooleanField(
        label="Update duplicates instead of skipping them",
        required=False,
        help_text="Only KOLs you own are updated; empty cells keep what is there.",
    )

    def __init__(self, *args, headers: list[str], columns: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        chosen = {index: name for name, index in columns.items()}
        choices = [("", "Ignore this column"), *import_matching.FIELDS.items()]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=chosen.get(index, "")
            )

    def column_fields(self):
        return [self[f"col_{index}"] for index in range(len(self.headers))]

    def clean(self) -> dict:
        data = super().clean()
        columns: dict[str, int] = {}
        for index, header in enumerate(self.headers):
            ours = data.get(f"col_{index}")
            if not ours:
                continue
            if ours in columns:
                label = import_matching.FIELDS[ours]
                raise forms.ValidationError(
                    f"{label} is chosen for two columns ({self.headers[columns[ours]]} and "
                    f"{header}). Pick one, ignore the other."
                )
            columns[ours] = index
        if "name" not in columns:
            raise forms.ValidationError("Choose the column that holds the KOL's name.")
        data["columns"] = columns
        return data


def _job_for_user(request: HttpRequest, pk: int, *, rows: bool = True) -> ImportJob:
    """The user's own import job, else 404 (jobs are personal: not even managers see them).
    Never the uploaded file itself: only the worker reads that."""
    jobs = ImportJob.objects.select_related("owner").defer("upload")
    return get_object_or_404(jobs if rows else jobs.defer("rows"), pk=pk, owner=request.user)


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > imports.MAX_BYTES:
                raise imports.ImportFileError(
                    "This file is larger than 5 MB. Split it and import each part."
                )
            # Checked from its bytes only; the worker reads it (the page waits for it).
            job = imports.import_receive(
                by=request.user, file_name=upload.name, data=upload.read(imports.MAX_BYTES + 1)
            )
            # Handed to the worker here: the services never publish (the tasks import them).
            transaction.on_commit(lambda: import_publish(job_id=job.pk))
        except imports.ImportFileError as problem:
            form.add_error("file", str(problem))
        else:
            return redirect("contacts:import_progress", pk=job.pk)
    status = INVALID if form.is_bound else 200
    return render(request, "contacts/import_upload.html", {"form": form}, status=status)


def _samples(job: ImportJob) -> list[str]:
    """An example value per column: the first non-empty one in the first rows."""
    samples = [""] * len(job.headers)
    for raw in job.rows[: import_matching.PREVIEW_ROWS]:
        for index, value in enumerate(raw):
            samples[index] = samples[index] or value
    return samples


@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for_user(request, pk)
    if job.status != ImportJob.Status.MAPPING:
        return redirect("contacts:import_progress", pk=job.pk)
    columns = import_matching.columns_of(job)
    form = MappingForm(
        request.POST or None,
        headers=job.headers,
        columns=columns,
        initial={"update_duplicates": job.update_duplicates},
    )
    status = 200
    update_duplicates = job.update_duplicates
    if form.is_bound:
        if form.is_valid():
            columns = form.cleaned_data["columns"]
            update_duplicates = form.cleaned_data["update_duplicates"]
            if "start" in request.POST:
                if imports.import_queue(
                    job=job, columns=columns, update_duplicates=update_duplicates
                ):
                    transaction.on_commit(lambda: import_publish(job_id=job.pk))
                messages.success(
                    request, "Import queued: it starts as soon as a background worker is free."
                )
                return redirect("contacts:import_progress", pk=job.pk)
        else:
            status = INVALID
    rows = import_matching.preview(job, columns=columns, update_duplicates=update_duplicates)
    fields = import_matching.FIELDS
    mapped = [(name, fields[name]) for name in fields if name in columns]
    context = {
        "job": job,
        "form": form,
        "columns": list(zip(form.column_fields(), _samples(job), strict=True)),
        "rows": [(row, [_cell(row, name, label) for name, label in mapped]) for row in rows],
        "mapped": mapped,
    }
    return render_page_or_part(
        request, "contacts/import_mapping.html", "preview", context, status=status
    )


def _cell(row: import_matching.Row, name: str, label: str) -> tuple[str, str, str]:
    """(label, value as it will be saved, a note) for one cell of the preview."""
    if name == "interests":
        note = ""
        if row.unknown_topics:
            note = "Not in the topic list, not added: " + "; ".join(row.unknown_topics)
        return label, "; ".join(topic.name for topic in row.topics), note
    if name == "therapeutic_areas":
        note = ""
        if row.unknown_areas:
            note = "Not a therapeutic area here, not added: " + ", ".join(row.unknown_areas)
        return label, ", ".join(area.name for area in row.areas), note
    if name == "last_contact":
        day = row.values.get("last_contact")
        return label, day.strftime("%-d %b %Y") if day else "", ""
    if name == "stage":
        return label, (row.values.get("stage") or "establishing").capitalize(), ""
    return label, row.values.get(name, ""), ""


def _progress_context(job: ImportJob) -> dict:
    finished = job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}
    now = timezone.now()
    waiting = job.status == ImportJob.Status.QUEUED or (
        job.status == ImportJob.Status.READING and job.claimed_at is None
    )
    return {
        "job": job,
        "finished": finished,
        "reading": job.status == ImportJob.Status.READING,
        "can_try_again": waiting
        and (job.published_at is None or now - job.published_at >= TRY_AGAIN_AFTER),
        "stalled": job.status == ImportJob.Status.RUNNING
        and job.heartbeat_at is not None
        and now - job.heartbeat_at >= STALLED_AFTER,
        "skipped": job.skipped[:100],
        "more_skipped": max(len(job.skipped) - 100, 0),
        # Reads the file's rows (deferred): once, when the summary shows.
        "unknown_topics": sorted(import_matching.unknown_topics(job).items())
        if finished and not job.unreadable
        else [],
    }


@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for_user(request, pk, rows=False)
    if job.status == ImportJob.Status.MAPPING:
        # Read: on to the mapping (htmx polling the "Reading your file" part goes there too).
        if wants_part(request):
            return HttpResponseClientRedirect(reverse("contacts:import_mapping", args=[job.pk]))
        return redirect("contacts:import_mapping", pk=job.pk)
    return render_page_or_part(
        request, "contacts/import_progress.html", "progress", _progress_context(job)
    )


@require_POST
def import_try_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a waiting job to the broker again; never run it here (reading a file or importing
    it is a worker's job, a web request is not the place)."""
    job = _job_for_user(request, pk, rows=False)
    if job.status in {ImportJob.Status.READING, ImportJob.Status.QUEUED}:
        outcome = import_publish(job_id=job.pk, older_than=TRY_AGAIN_AFTER)
        messages.info(request, TRY_AGAIN_MESSAGES[outcome])
    return redirect("contacts:import_progress", pk=job.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def import_skipped_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    job = _job_for_user(request, pk)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in imports.skipped_csv_rows(job)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="skipped-rows-import-{job.pk}.csv"'
    return response


urlpatterns = [
    path("import/", import_upload, name="import_upload"),
    path("import/<int:pk>/", import_mapping, name="import_mapping"),
    path("import/<int:pk>/progress/", import_progress, name="import_progress"),
    path("import/<int:pk>/try-again/", import_try_again, name="import_try_again"),
    path("import/<int:pk>/skipped.csv", import_skipped_csv, name="import_skipped_csv"),
]
