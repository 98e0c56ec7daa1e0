import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from contacts import import_matching, import_writes, imports, spreadsheet_limits
from contacts.models import (
    AssumptionStatus,
    AuditEntry,
    ImportJob,
    Interest,
    Kol,
    Provenance,
    Stage,
    StageChange,
)
from contacts.tasks import run_import
from tests.conftest import HTMX, client_for
from tests.factories import KolFactory, TopicFactory

UPLOAD = reverse("contacts:import_upload")
HEADER = "Full name,Hospital,E-mail,Speciality,Town,Country,Interests,Stage,Last contact\n"


def mapping_url(job):
    return reverse("contacts:import_mapping", args=[job.pk])


def progress_url(job):
    return reverse("contacts:import_progress", args=[job.pk])


def upload(client, content: bytes, name="kols.csv"):
    """POST the file, then let the worker read it (the task's service, called here)."""
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    for job in ImportJob.objects.filter(status=ImportJob.Status.READING):
        imports.import_read(job_id=job.pk)
    return response


def start(client, job, **extra):
    """Keep the guessed mapping and start the import (the task runs when tests call it)."""
    data = {f"col_{i}": "" for i in range(len(job.headers))}
    for name, index in import_matching.columns_of(job).items():
        data[f"col_{index}"] = name
    data.update(extra)
    data["start"] = "1"
    return client.post(mapping_url(job), data)


def run(job):
    assert imports.import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_csv(client, text: str, **extra) -> ImportJob:
    response = upload(client, text.encode())
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    assert start(client, job, **extra).status_code == 302
    return run(job)


@pytest.fixture
def topics(db):
    return [
        TopicFactory(name="Heart failure", area__name="Cardiology"),
        TopicFactory(name="Registries", area__name="Cardiology"),
    ]


def test_it_imports_a_csv_end_to_end(owner_client, owner, topics):
    text = HEADER + (
        "Amara Nwosu,King's College,amara@example.test,Cardiology,London,UK,"
        "heart FAILURE; Registries; Robotics,Developing,31/03/2025\n"
        "Ben Ode,Guy's,,Nephrology,London,UK,,,2025-01-15\n"
    )
    response = upload(owner_client, text.encode())
    job = ImportJob.objects.get()
    # The job's page; read by the worker, it goes on to the mapping.
    assert response["Location"] == progress_url(job)
    assert owner_client.get(progress_url(job))["Location"] == mapping_url(job)
    assert job.status == ImportJob.Status.MAPPING and job.total == 2
    assert import_matching.columns_of(job) == {
        "name": 0,
        "institution": 1,
        "email": 2,
        "specialty": 3,
        "city": 4,
        "country": 5,
        "interests": 6,
        "stage": 7,
        "last_contact": 8,
    }
    page = owner_client.get(mapping_url(job)).content.decode()
    assert "Added as a new KOL" in page and "Robotics" in page and "31 Mar 2025" in page

    response = start(owner_client, job)
    assert response["Location"] == progress_url(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    job = run(job)
    assert (job.status, job.created_count, job.processed, job.skipped) == ("done", 2, 2, [])

    amara = Kol.objects.get(name="Amara Nwosu")
    assert amara.owner == owner and amara.stage == Stage.DEVELOPING
    assert amara.city == "London" and amara.email == "amara@example.test"
    assert amara.last_interaction_at.date() == datetime.date(2025, 3, 31)
    assert amara.next_check_in_on == datetime.date(2025, 3, 31) + datetime.timedelta(days=60)
    interests = Interest.objects.filter(kol=amara).select_related("topic")
    assert sorted(i.topic.name for i in interests) == ["Heart failure", "Registries"]
    assert {(i.provenance, i.assumption_status) for i in interests} == {
        (Provenance.ASSUMED, AssumptionStatus.OPEN)
    }
    assert StageChange.objects.filter(kol=amara, to_stage="developing").exists()
    assert AuditEntry.objects.filter(kol=amara, action="created").count() == 1
    ben = Kol.objects.get(name="Ben Ode")
    assert ben.stage == Stage.ESTABLISHING and ben.next_check_in_on == datetime.date(2025, 2, 14)

    page = owner_client.get(progress_url(job)).content.decode()
    assert "2 of 2 rows" in page and "hx-trigger" not in page
    assert "assumed" in page and "Robotics (1 row)" in page


def test_it_imports_an_xlsx_with_semicolons_elsewhere(owner_client):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Institution", "Email", "Last contact"])
    sheet.append(["Xl One", "Charité", "one@example.test", datetime.datetime(2025, 2, 3)])
    sheet.append(["Xl Two", "Charité", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(owner_client, buffer.getvalue(), name="kols.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.rows[0][3] == "2025-02-03"
    start(owner_client, job)
    assert run(job).created_count == 2
    one = Kol.objects.get(name="Xl One")
    assert one.institution == "Charité" and one.last_interaction_at.date().day == 3


def test_it_reads_semicolons_tabs_bom_and_cp1252(owner_client):
    for content in [
        "\ufeffName;Institution\nDr Semi;Uni\n".encode(),
        b"Name\tInstitution\nDr Tab\tUni\n",
        "Name,Institution\nDr Zo\xeb,M\xfcnchen\n".encode("cp1252"),
    ]:
        assert upload(owner_client, content).status_code == 302
    rows = [job.rows[0] for job in ImportJob.objects.order_by("pk")]
    assert rows == [["Dr Semi", "Uni"], ["Dr Tab", "Uni"], ["Dr Zoë", "München"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kols.pdf", b"%PDF-1.4 binary", "This is not a spreadsheet: upload a CSV or an XLSX"),
        ("kols.csv", b"Name\n\x81\x8d\x8f\x90\x9d", "could not read the text of this file"),
        ("kols.csv", b"", "The submitted file is empty."),
        ("kols.csv", b"\n \n", "This file is empty."),
    ],
)
def test_it_rejects_bad_files_with_a_clear_message(owner_client, name, content, message):
    response = upload(owner_client, content, name=name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Name,Institution\n", "This file has a header row but no KOLs under it."),
        (b"A,a@x.test\nDr B,b@x.test\n", "add a header row"),
        (b",,,\n , ,\n", "This file is empty."),
    ],
)
def test_a_file_the_worker_cannot_use_ends_failed_with_the_reason(owner_client, content, message):
    response = upload(owner_client, content)
    job = ImportJob.objects.get()
    assert response["Location"] == progress_url(job)
    assert (job.status, job.rows, bytes(job.upload)) == ("failed", [], b"")
    assert message in job.error
    page = owner_client.get(progress_url(job)).content.decode()
    assert message in page and "Nothing was saved" in page and "hx-trigger" not in page
    assert owner_client.get(mapping_url(job))["Location"] == progress_url(job)
    assert not Kol.objects.exists()


def test_it_rejects_too_big_and_too_long_files(owner_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = upload(owner_client, b"Name\n" + b"A\n" * 50)
    assert "larger than 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()
    monkeypatch.setattr(imports, "MAX_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(spreadsheet_limits, "MAX_ROWS", 3)
    upload(owner_client, b"Name\nA\nB\nC\nD\nE\n")
    job = ImportJob.objects.get()
    assert job.status == "failed" and "more than 3 rows" in job.error
    assert not Kol.objects.exists()


def test_it_reports_every_row_problem(owner_client, owner):
    KolFactory(owner=owner, name="Known", institution="Guy's", email="known@example.test")
    text = HEADER + (
        ",Guy's,,,,,,,\n"  # 2: no name
        "Bad Mail,X,not-an-email,,,,,,\n"  # 3
        "Bad Stage,X,,,,,,Friends,\n"  # 4
        "Bad Date,X,,,,,,,2025-13-45\n"  # 5
        "Other,Y,KNOWN@example.test,,,,,,\n"  # 6: existing by email
        "dr known,guy's,,,,,,,\n"  # 7: existing by name + institution
        "Twin,Z,twin@example.test,,,,,,\n"  # 8
        "Twin Again,Q,twin@example.test,,,,,,\n"  # 9: within the file by email
        "Twin,z,,,,,,,\n"  # 10: within the file by name + institution
        "Fine,Z,,,,,,maintaining,\n"  # 11
    )
    upload(owner_client, text.encode())
    job = ImportJob.objects.get()
    page = owner_client.get(mapping_url(job)).content.decode()
    for problem in [
        "name is missing",
        "“not-an-email” is not a valid address",
        "stage “Friends” is not establishing",
        "“2025-13-45” is not a date",
        "already here as Known (same email)",
        "already here as Known (same name and institution)",
        "duplicate of row 8 in this file",
    ]:
        assert problem in page, problem
    start(owner_client, job)
    job = run(job)
    assert job.created_count == 2 and job.updated_count == 0
    assert [number for number, _ in job.skipped] == [2, 3, 4, 5, 6, 7, 9, 10]
    assert set(Kol.objects.values_list("name", flat=True)) == {"Known", "Twin", "Fine"}


def test_it_updates_only_own_duplicates_when_asked(owner_client, owner, teammate, manager):
    mine = KolFactory(owner=owner, name="Mine", institution="A", email="mine@example.test")
    KolFactory(owner=teammate, name="Theirs", institution="B")
    text = HEADER + (
        "Mine,A,MINE@example.test,Oncology,Paris,,,maintaining,2025-06-01\nDr Theirs,B,,,,,,,\n"
    )
    # The manager sees the teammate's KOL: a duplicate, and not theirs to update.
    manager_client = owner_client.__class__()
    manager_client.force_login(manager)
    job = import_csv(manager_client, text, update_duplicates="on")
    assert (job.created_count, job.updated_count, len(job.skipped)) == (0, 0, 2)
    assert all("owned by someone else" in reason for _, reason in job.skipped)

    job = import_csv(owner_client, text, update_duplicates="on")
    assert (job.created_count, job.updated_count) == (1, 1)
    mine.refresh_from_db()
    assert (mine.specialty, mine.city, mine.stage, mine.version) == (
        "Oncology",
        "Paris",
        "maintaining",
        2,
    )
    assert mine.next_check_in_on == datetime.date(2025, 8, 30)
    assert StageChange.objects.filter(kol=mine, to_stage="maintaining").exists()
    assert AuditEntry.objects.filter(kol=mine, action="changed").exists()


def test_running_the_same_file_again_creates_nothing_new(owner_client):
    text = HEADER + "Once,A,once@example.test,,,,,,\nDr Twice,B,,,,,,,\n"
    assert import_csv(owner_client, text).created_count == 2
    job = import_csv(owner_client, text)
    assert (job.created_count, len(job.skipped)) == (0, 2)
    assert Kol.objects.count() == 2
    # The same job cannot run twice: the claim only takes a queued job.
    assert not imports.import_run(job_id=job.pk)


def test_the_task_runs_the_service_and_the_broker_outage_is_tolerated(
    owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    upload(owner_client, (HEADER + "Task,A,,,,,,,\n").encode())
    job = ImportJob.objects.get()

    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(run_import, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(owner_client, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued" and job.published_at is not None
    page = owner_client.get(progress_url(job)).content.decode()
    assert "Waiting for the background worker" in page and "Try again" not in page
    monkeypatch.undo()
    assert run_import(job.pk) is True
    assert ImportJob.objects.get().status == "done" and Kol.objects.get().name == "Task"


def test_the_task_runs_eagerly(owner_client, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    upload(owner_client, (HEADER + "Eager,A,,,,,,,\n").encode())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        start(owner_client, job)
    assert ImportJob.objects.get().status == "done" and Kol.objects.get().name == "Eager"


def test_a_failure_marks_the_job_failed(owner_client, monkeypatch):
    upload(owner_client, (HEADER + "Fail,A,,,,,,,\n").encode())
    job = ImportJob.objects.get()
    start(owner_client, job)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_writes, "create_kols", boom)
    assert not imports.import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "disk full" and not Kol.objects.exists()
    assert "The import stopped: disk full" in owner_client.get(progress_url(job)).content.decode()


def test_the_mapping_needs_a_name_and_one_column_per_field(owner_client):
    upload(owner_client, (HEADER + "A,B,,,,,,,\n").encode())
    job = ImportJob.objects.get()
    response = start(owner_client, job, col_0="")
    assert response.status_code == 422
    assert "Choose the column that holds the KOL" in response.content.decode()
    response = start(owner_client, job, col_1="name")
    assert "Name is chosen for two columns (Full name and Hospital)" in response.content.decode()
    assert ImportJob.objects.get().status == "mapping" and not Kol.objects.exists()


def test_changing_the_mapping_refreshes_the_preview_partial(owner_client):
    upload(owner_client, (HEADER + "A,St Mary's,,,,,,,\n").encode())
    job = ImportJob.objects.get()
    data = {f"col_{i}": "" for i in range(len(job.headers))} | {"col_0": "name", "col_1": "city"}
    response = owner_client.post(mapping_url(job), data, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith('<section id="preview"')
    assert '<th scope="col">City</th>' in page and "St Mary" in page
    assert ImportJob.objects.get().status == "mapping"


def test_progress_partial_polls_until_done(owner_client, django_assert_max_num_queries):
    upload(owner_client, (HEADER + "A,B,,,,,,,\n").encode())
    job = ImportJob.objects.get()
    start(owner_client, job)
    # Session, user, job, and the session middleware's save (3); nothing per row.
    with django_assert_max_num_queries(6):
        part = owner_client.get(progress_url(job), **HTMX).content.decode()
    assert part.lstrip().startswith('<section id="import-progress"')
    assert 'hx-trigger="every 1s"' in part and "0 of 1 rows" in part and "<html" not in part
    page = owner_client.get(progress_url(job)).content.decode()
    assert "<html" in page and ">Refresh</a>" in page
    run(job)
    with django_assert_max_num_queries(8):  # + the file's rows and the topics for the summary
        part = owner_client.get(progress_url(job), **HTMX).content.decode()
    assert "hx-trigger" not in part and "1 of 1 rows" in part and "1</strong> KOL added" in part


def test_the_mapping_page_queries_do_not_grow_with_rows(
    owner_client, owner, django_assert_max_num_queries
):
    KolFactory.create_batch(30, owner=owner)
    text = HEADER + "".join(f"{n},H,,,,,,,\n" for n in range(200))
    upload(owner_client, text.encode())
    job = ImportJob.objects.get()
    with django_assert_max_num_queries(8):
        assert owner_client.get(mapping_url(job)).status_code == 200


def test_the_skipped_rows_download_neutralises_formulas(owner_client, owner):
    KolFactory(owner=owner, name="=HYPERLINK(1)", institution="+evil")
    text = "Name,Institution,Email\n=HYPERLINK(1),+evil,\n@SUM(A1),-x,bad\n"
    job = import_csv(owner_client, text)
    response = owner_client.get(reverse("contacts:import_skipped_csv", args=[job.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "reason", "Name", "Institution", "Email"]
    assert rows[1][0] == "2" and rows[1][2:] == ["'=HYPERLINK(1)", "'+evil", ""]
    assert rows[2][2:] == ["'@SUM(A1)", "'-x", "bad"]
    assert rows[1][1].startswith("already here as")


@pytest.mark.parametrize("name", ["import_mapping", "import_progress", "import_skipped_csv"])
@pytest.mark.parametrize("who", ["teammate", "outsider", "manager"])
def test_another_users_job_is_not_found(request, owner, name, who):
    job = ImportJob.objects.create(owner=owner, file_name="x.csv", headers=["Name"], rows=[["A"]])
    response = client_for(request.getfixturevalue(who)).get(
        reverse(f"contacts:{name}", args=[job.pk])
    )
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in_and_wrong_methods_get_405(client, owner_client, owner):
    job = ImportJob.objects.create(owner=owner, file_name="x.csv", headers=["Name"], rows=[["A"]])
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert owner_client.put(UPLOAD).status_code == 405
    assert owner_client.post(progress_url(job)).status_code == 405
    assert owner_client.get(reverse("contacts:import_try_again", args=[job.pk])).status_code == 405
    assert (
        owner_client.post(reverse("contacts:import_skipped_csv", args=[job.pk])).status_code == 405
    )


def test_ten_thousand_rows_import_in_one_go(owner_client, owner, topics):
    """The timing is measured separately (see the report); here only that it all arrives."""
    text = HEADER + "".join(
        f"Bulk {n},Hospital {n % 50},bulk{n}@example.test,Cardiology,Town,UK,"
        f"Heart failure;Registries,developing,2025-01-{n % 28 + 1:02d}\n"
        for n in range(10_000)
    )
    job = import_csv(owner_client, text)
    assert (job.created_count, job.processed, job.status) == (10_000, 10_000, "done")
    assert Kol.objects.filter(owner=owner).count() == 10_000
    assert Interest.objects.count() == 20_000 and StageChange.objects.count() == 10_000
