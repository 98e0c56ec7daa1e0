"""Hostile and odd files, uploaded as an attacker would: each answered in under a second with
a clear message (at upload when the bytes tell, else on the job page once the worker read it),
never a 500, and the database holds no KOL from them. The worker's reading runs eagerly here,
inside the measured request; its limits are contacts.spreadsheets'."""

import base64
import codecs
import datetime
import io
import random
import re
import time
import zipfile

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from contacts import imports, spreadsheet_limits, spreadsheets
from contacts.models import ImportJob, Kol
from contacts.tasks import read_import, sweep_imports
from tests.conftest import HTMX

UPLOAD = reverse("contacts:import_upload")
NOT_A_SPREADSHEET = "This is not a spreadsheet: upload a CSV or an XLSX file."
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def eager(settings, django_capture_on_commit_callbacks):
    """The worker's reading runs in the request's on-commit hook, as a worker would after it."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def post(client, content: bytes, name: str = "kols.csv"):
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
        return response, time.perf_counter() - started

    return post


def progress_url(job) -> str:
    return reverse("contacts:import_progress", args=[job.pk])


def mapping_url(job) -> str:
    return reverse("contacts:import_mapping", args=[job.pk])


def refused_at_upload(response, seconds: float, message: str) -> None:
    assert response.status_code == 422, response.status_code
    assert message in response.content.decode()
    assert seconds < 1, seconds
    assert not ImportJob.objects.exists() and not Kol.objects.exists()


def refused_by_the_worker(client, response, seconds: float, message: str) -> ImportJob:
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == progress_url(job)
    assert seconds < 1, seconds
    assert job.status == ImportJob.Status.FAILED and message in job.error, job.error
    assert (job.rows, job.headers, bytes(job.upload)) == ([], [], b"")  # the file is not kept
    page = client.get(progress_url(job)).content.decode()
    assert message in page.replace("&#x27;", "'") and "Nothing was saved" in page
    assert not Kol.objects.exists()
    return job


def workbook(rows: list[list], patch: dict[str, object] | None = None) -> bytes:
    """An XLSX made by openpyxl, then parts rewritten: {name: bytes or bytes -> bytes}."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return workbook_parts(buffer.getvalue(), patch) if patch else buffer.getvalue()


def shared_strings(content: bytes) -> bytes:
    """The workbook as Excel saves it: its texts in xl/sharedStrings.xml, cells point there."""
    strings: list[bytes] = []

    def share(match: re.Match) -> bytes:
        strings.append(match[2])
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match[1], len(strings) - 1)

    def sheet(xml: bytes) -> bytes:
        return re.sub(rb'<c r="(\w+)" t="inlineStr"><is><t>(.*?)</t></is></c>', share, xml)

    source = zipfile.ZipFile(io.BytesIO(content))
    xml = sheet(source.read(SHEET))
    table = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
    return workbook_parts(
        content, {SHEET: xml, "xl/sharedStrings.xml": b"<sst>" + table + b"</sst>"}
    )


def workbook_parts(content: bytes, patch: dict[str, object]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            change = patch.get(name)
            target.writestr(name, change(data) if callable(change) else change or data)
        for name, data in patch.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def dimension(ref: bytes):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', xml)


# --- XLSX: the dimension bomb, the zip bomb, the deep zip --------------------------------


def test_it_ignores_a_dimension_that_claims_the_whole_sheet(owner_client, eager):
    content = workbook(
        [["Name", "Institution"], ["Dr Ada", "Uni"]], {SHEET: dimension(b"A1:XFD1048576")}
    )
    assert len(content) < 6000 and b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read(
        SHEET
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    assert seconds < 1, seconds
    job = ImportJob.objects.get()
    assert response["Location"] == progress_url(job)
    assert (job.status, job.headers, job.rows) == (
        "mapping",
        ["Name", "Institution"],
        [["Dr Ada", "Uni"]],
    )
    assert owner_client.get(progress_url(job))["Location"] == mapping_url(job)


def test_a_value_in_the_last_cell_of_the_sheet_is_refused_by_its_column(owner_client, eager):
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    content = workbook(
        [["Name"], ["Dr Ada"]],
        {
            SHEET: lambda xml: dimension(b"A1:XFD1048576")(xml).replace(
                b"</sheetData>", far + b"</sheetData>"
            )
        },
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(
        owner_client,
        response,
        seconds,
        "Row 1048576 has a value in column XFD; a file can have at most 100 columns",
    )


def test_a_row_far_down_the_sheet_is_read_without_reading_the_rows_between(owner_client, eager):
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Dr Far</t></is></c></row>'
    content = workbook(
        [["Name"], ["Dr Ada"]],
        {SHEET: lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>")},
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    assert seconds < 1, seconds
    assert ImportJob.objects.get().rows == [["Dr Ada"], ["Dr Far"]]


def test_a_zip_bomb_is_refused_from_its_directory_at_upload(owner_client, eager):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(SHEET, "w") as part:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(200):  # 200 MB of zeros
                part.write(zeros)
    content = buffer.getvalue()
    assert len(content) < 300_000
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_at_upload(
        response, seconds, "This workbook unpacks to 200 MB and is packed unusually tightly"
    )


def test_a_zip_bomb_that_understates_its_size_is_stopped_at_the_size_it_declares(
    owner_client, eager
):
    """The directory says 2 KB; 50 MB follow. Python's zip reader stops at the declared
    size, the checksum then fails: a damaged file, never 50 MB in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            'Type="x/worksheet"/></Relationships>',
        )
        archive.writestr(SHEET, b"<worksheet><sheetData>" + b" " * (50 * 1024 * 1024))
    content = bytearray(buffer.getvalue())
    # The sheet's entry is the last of the central directory; its unpacked size is at +24.
    entry = content.rindex(b"PK\x01\x02")
    content[entry + 24 : entry + 28] = (2048).to_bytes(4, "little")
    response, seconds = eager(owner_client, bytes(content), "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "This Excel file is damaged")


@pytest.mark.parametrize("name", ["kols.xlsx", "kols.csv"])
def test_a_deep_zip_is_not_a_spreadsheet(owner_client, eager, name):
    content = b"Name\nDr Ada\n"
    for depth in range(10):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"level{depth}.zip", content)
        content = buffer.getvalue()
    response, seconds = eager(owner_client, content, name)
    refused_at_upload(response, seconds, NOT_A_SPREADSHEET)


def test_an_xml_bomb_in_a_sheet_is_refused(owner_client, eager):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (n + 1, b"&lol%d;" % n * 10) for n in range(9))
        + b']><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t>'
        b"</is></c></row></sheetData></worksheet>"
    ).replace(b"&lol0;", b"&lol;")
    response, seconds = eager(owner_client, workbook([["Name"]], {SHEET: laughs}), "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "it declares a DTD")


# --- CSV: the wide file, the long cell, too many rows ----------------------------------


def test_a_csv_with_100000_columns_is_refused_by_its_width(owner_client, eager):
    content = (",".join(f"col{n:05d}" for n in range(100_000)) + "\nDr Ada\n").encode()
    assert len(content) > 800_000
    response, seconds = eager(owner_client, content)
    refused_by_the_worker(
        owner_client, response, seconds, "Row 1 has 100,000 columns; a file can have at most 100."
    )


def test_a_wide_xlsx_row_is_refused_without_holding_it(owner_client, eager):
    cells = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(20_000))
    content = workbook(
        [["Name"]],
        {
            SHEET: lambda xml: xml.replace(
                b"</sheetData>", b'<row r="2">' + cells + b"</row></sheetData>"
            )
        },
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(
        owner_client,
        response,
        seconds,
        "Row 2 has a value in column CW; a file can have at most 100 columns",
    )


def test_a_cell_over_2000_characters_is_named_by_row_and_column(owner_client, eager):
    content = ("Name,Notes\nDr Ada," + "n" * 3000 + "\n").encode()
    response, seconds = eager(owner_client, content)
    refused_by_the_worker(
        owner_client,
        response,
        seconds,
        "Row 2, column B holds 3,000 characters; a cell can hold at most 2,000.",
    )


def test_a_huge_xlsx_cell_is_refused_while_it_streams(owner_client, eager):
    # Random text: it packs like real text, not like a zip bomb (refused at upload).
    text = base64.b64encode(random.Random(1).randbytes(2_250_000))
    inline = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + text + b"</t></is></c></row>"
    content = workbook(
        [["Name"]], {SHEET: lambda xml: xml.replace(b"</sheetData>", inline + b"</sheetData>")}
    )
    assert len(content) > 2_000_000
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(
        owner_client, response, seconds, "Row 2, column A holds more than 2,000 characters"
    )


def test_a_long_shared_text_is_refused_where_a_cell_uses_it(owner_client, eager):
    content = shared_strings(workbook([["Name", "Notes"], ["Dr Ada", "x" * 2001]]))
    assert b"<si><t>xxx" in zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml")
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "Row 2, column B holds 2,001 characters")


def test_one_shared_text_in_every_cell_is_bounded_by_the_total(owner_client, eager, monkeypatch):
    """The shared-strings amplification: one 1,000-character text, pointed at by every cell."""
    monkeypatch.setattr(spreadsheet_limits, "MAX_TOTAL_CHARS", 50_000)
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>1</v></c><c r="B%d" t="s"><v>1</v></c></row>' % (n, n, n)
        for n in range(2, 100)
    )
    content = shared_strings(
        workbook(
            [["Name", "z" * 1000]],
            {SHEET: lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")},
        )
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "more than 50,000 characters of text")


def test_an_excel_style_workbook_reads_its_shared_texts(owner_client, eager):
    """Rich text runs join up; a Japanese phonetic reading (rPh) is not part of the text."""
    content = shared_strings(workbook([["Name", "City"], ["Dr Ada", "Leeds"]]))
    content = workbook_parts(
        content,
        {
            "xl/sharedStrings.xml": lambda xml: xml.replace(
                b"<si><t>Leeds</t></si>",
                b"<si><r><t>Le</t></r><r><t>eds</t></r><rPh><t>reezu</t></rPh></si>",
            )
        },
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    assert seconds < 1
    assert ImportJob.objects.get().rows == [["Dr Ada", "Leeds"]]


def test_more_rows_than_allowed_are_refused(owner_client, eager, monkeypatch):
    monkeypatch.setattr(spreadsheet_limits, "MAX_ROWS", 50)
    response, seconds = eager(owner_client, ("Name\n" + "Dr A\n" * 51).encode())
    refused_by_the_worker(owner_client, response, seconds, "more than 50 rows")
    ImportJob.objects.all().delete()
    response, seconds = eager(owner_client, workbook([["Name"], *[["Dr A"]] * 51]), "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "more than 50 rows")


def test_reading_stops_at_its_cpu_budget(owner_client, eager, monkeypatch):
    monkeypatch.setattr(spreadsheet_limits, "READ_SECONDS", -1.0)
    response, seconds = eager(owner_client, b"Name\nDr Ada\n")
    refused_by_the_worker(owner_client, response, seconds, spreadsheet_limits.TOO_LONG_TO_READ)


# --- Not a spreadsheet -----------------------------------------------------------------


def _zip_of_a_csv() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("kols.csv", "Name\nDr Ada\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            NOT_A_SPREADSHEET,
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(64), NOT_A_SPREADSHEET),
        (_zip_of_a_csv(), NOT_A_SPREADSHEET),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8, NOT_A_SPREADSHEET),
        (bytes(range(256)) * 16, NOT_A_SPREADSHEET),  # some other binary
        (b"<html><body><table><tr><td>Name</td></tr></table></body></html>", NOT_A_SPREADSHEET),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "This is an old Excel .xls file"),
    ],
    ids=["pdf", "png", "zip", "elf", "binary", "html", "xls"],
)
def test_a_file_renamed_csv_is_refused_as_not_a_spreadsheet(owner_client, eager, content, message):
    response, seconds = eager(owner_client, content, "kols.csv")
    refused_at_upload(response, seconds, message)


def test_an_xlsx_named_csv_and_a_csv_named_xlsx_are_read_as_what_they_are(owner_client, eager):
    eager(owner_client, workbook([["Name"], ["Dr Xl"]]), "kols.csv")
    eager(owner_client, b"Name\nDr Csv\n", "kols.xlsx")
    assert [job.rows for job in ImportJob.objects.order_by("pk")] == [[["Dr Xl"]], [["Dr Csv"]]]


# --- Odd text: NUL, control characters, text in a number cell ---------------------------


def test_a_utf16_csv_with_nul_imports_without_it(
    owner_client, eager, django_capture_on_commit_callbacks
):
    text = "Name,Institution\r\nDr A\x00da,Uni\x00 of \x01Leeds\r\n"
    content = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    response, seconds = eager(owner_client, content)
    assert response.status_code == 302 and seconds < 1
    job = ImportJob.objects.get()
    assert job.rows == [["Dr Ada", "Uni of Leeds"]]
    with django_capture_on_commit_callbacks(execute=True):  # the import runs eagerly too
        owner_client.post(mapping_url(job), {"col_0": "name", "col_1": "institution", "start": "1"})
    job.refresh_from_db()
    assert job.status == "done", job.error
    kol = Kol.objects.get()
    assert (kol.name, kol.credentials, kol.institution) == ("Ada", "Dr", "Uni of Leeds")


def test_a_utf16_csv_without_its_bom_is_read(owner_client, eager):
    eager(owner_client, "Name,City\nDr Zoë,Köln\n".encode("utf-16-le"))
    assert ImportJob.objects.get().rows == [["Dr Zoë", "Köln"]]


def test_control_characters_leave_the_cells_and_the_file_name(owner_client, eager):
    content = (
        'Name,Institution\n"\x01=HYPERLINK(""http://x"",""y"")",\x1b[31mUni\x7f\x85\n'.encode()
    )
    eager(owner_client, content, "kols\x00\x07.csv")
    job = ImportJob.objects.get()
    assert job.file_name == "kols.csv"
    assert job.rows == [['=HYPERLINK("http://x","y")', "[31mUni"]]


def test_text_in_a_number_cell_and_odd_cell_types_become_text(owner_client, eager):
    def odd_cells(xml: bytes) -> bytes:
        cells = (
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>Dr Odd</t></is></c>'
            b'<c r="B2"><v>not a number</v></c>'  # a number cell holding text
            b'<c r="C2" t="b"><v>maybe</v></c>'
            b'<c r="D2" t="d"><v>not a date</v></c>'
            b'<c r="E2" t="zz"><v>odd type</v></c>'
            b'<c r="F2" t="e"><v>#N/A</v></c>'
            b'<c r="G2"><v>1e999</v></c>'
            b'<c r="H2" s="1"><v>45000.5</v></c>'  # a date style (below)
            b'<c r="I2" s="1"><v>late</v></c></row>'
        )
        return xml.replace(b"</sheetData>", cells + b"</sheetData>")

    styles = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    header = [["Name", "B", "C", "D", "E", "F", "G", "When", "I"]]
    content = workbook(header, {SHEET: odd_cells, "xl/styles.xml": styles})
    response, seconds = eager(owner_client, content, "kols.xlsx")
    assert response.status_code == 302 and seconds < 1
    job = ImportJob.objects.get()
    assert job.status == "mapping", job.error
    assert job.rows == [
        [
            "Dr Odd",
            "not a number",
            "maybe",
            "not a date",
            "odd type",
            "#N/A",
            "1e999",
            "2023-03-15",
            "late",
        ]
    ]


def test_a_shared_text_the_workbook_lacks_is_a_damaged_file(owner_client, eager):
    def broken(xml: bytes) -> bytes:
        return xml.replace(
            b"</sheetData>", b'<row r="2"><c r="A2" t="s"><v>999</v></c></row></sheetData>'
        )

    response, seconds = eager(owner_client, workbook([["Name"]], {SHEET: broken}), "kols.xlsx")
    refused_by_the_worker(
        owner_client, response, seconds, "row 2, column A points to a text it does not hold"
    )


# --- Reading happens in the worker, never inside a transaction -------------------------


@pytest.mark.django_db(transaction=True)
def test_the_file_is_checked_and_read_outside_any_transaction(owner_client, eager, monkeypatch):
    """On SQLite a transaction holds the write lock: other users' requests would fail."""
    seen = []
    for name in ("check_upload", "read_rows"):
        real = getattr(spreadsheets, name)

        def spy(data: bytes, real=real, name=name):
            seen.append((name, connection.in_atomic_block))
            return real(data)

        monkeypatch.setattr(spreadsheets, name, spy)
    eager(owner_client, b"Name\nDr Ada\n")
    assert ("check_upload", False) in seen and ("read_rows", False) in seen
    assert not [name for name, atomic in seen if atomic]
    assert ImportJob.objects.get().status == "mapping"


def test_the_upload_only_stores_the_file_and_the_page_waits_for_the_worker(owner_client):
    response = owner_client.post(
        UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == progress_url(job)
    assert (job.status, bytes(job.upload), job.rows) == ("reading", b"Name\nDr Ada\n", [])

    page = owner_client.get(progress_url(job)).content.decode()
    assert "Reading your file…" in page and ">Refresh</a>" in page
    part = owner_client.get(progress_url(job), **HTMX).content.decode()
    assert part.lstrip().startswith('<section id="import-progress"')
    assert 'hx-trigger="every 1s"' in part and "Reading your file…" in part
    # Not read yet: the mapping page sends back to the waiting page.
    assert owner_client.get(mapping_url(job))["Location"] == progress_url(job)

    assert read_import(job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.rows, bytes(job.upload), job.attempts) == (
        "mapping",
        [["Dr Ada"]],
        b"",
        0,
    )
    # htmx polling is sent on to the mapping; a plain reload is redirected there.
    polled = owner_client.get(progress_url(job), **HTMX)
    assert polled.status_code == 200 and polled["HX-Redirect"] == mapping_url(job)
    assert owner_client.get(progress_url(job))["Location"] == mapping_url(job)
    assert read_import(job.pk) is False  # a second message finds it read


def test_a_reading_job_is_not_read_twice_at_once_and_a_dead_reader_is_replaced(owner_client):
    owner_client.post(UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")})
    job = ImportJob.objects.get()
    # A worker claimed it and is reading: another message for it does nothing.
    ImportJob.objects.filter(pk=job.pk).update(
        claimed_at=timezone.now(), heartbeat_at=timezone.now(), attempts=1
    )
    assert imports.import_read(job_id=job.pk) is False
    assert sweep_imports() == 0
    # That worker died: after READ_STALE_AFTER the sweep sends it again and it is read.
    later = timezone.now() + imports.READ_STALE_AFTER + datetime.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert sweep_imports() == 1
        assert imports.import_read(job_id=job.pk) is True
    assert ImportJob.objects.get().rows == [["Dr Ada"]]


def test_a_file_that_kills_the_reader_three_times_ends_failed(owner_client):
    owner_client.post(UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")})
    job = ImportJob.objects.get()
    claimed = timezone.now() - imports.READ_STALE_AFTER - datetime.timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(claimed_at=claimed, heartbeat_at=claimed, attempts=3)
    assert sweep_imports() == 1
    job.refresh_from_db()
    assert (job.status, bytes(job.upload)) == ("failed", b"")
    assert "stopped each time it read this file" in job.error
    page = owner_client.get(progress_url(job)).content.decode()
    assert "This file could not be imported" in page and "Upload a file" in page


def test_a_reading_job_waiting_for_a_worker_can_be_sent_again(owner_client, monkeypatch):
    owner_client.post(UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")})
    job = ImportJob.objects.get()
    sent = []
    monkeypatch.setattr(read_import, "apply_async", lambda *a, **k: sent.append(k["args"]))
    ImportJob.objects.filter(pk=job.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert "Try again" in owner_client.get(progress_url(job)).content.decode()
    response = owner_client.post(reverse("contacts:import_try_again", args=[job.pk]), follow=True)
    assert "Sent to the background worker again" in response.content.decode()
    assert sent == [[job.pk]]


def test_an_unexpected_error_while_reading_ends_failed_with_a_plain_message(
    owner_client, monkeypatch
):
    def broken(data: bytes):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(spreadsheets, "read_rows", broken)
    owner_client.post(UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")})
    job = ImportJob.objects.get()
    assert imports.import_read(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and job.error == imports.READ_FAILED
    assert "parser bug" not in owner_client.get(progress_url(job)).content.decode()


def test_a_worker_too_slow_for_the_time_limit_ends_failed_saying_so(owner_client, monkeypatch):
    def slow(data: bytes):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(spreadsheets, "read_rows", slow)
    owner_client.post(UPLOAD, {"file": SimpleUploadedFile("kols.csv", b"Name\nDr Ada\n")})
    job = ImportJob.objects.get()
    assert imports.import_read(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and job.error == spreadsheet_limits.TOO_LONG_TO_READ


def test_odd_numbers_and_references_in_the_sheet_are_read_not_a_500(owner_client, eager):
    digits = b"9" * 5000  # int() refuses over 4,300 digits
    cells = (
        b'<row r="' + digits + b'"><c r="A1B2" s="\xc2\xb2" t="inlineStr"><is><t>Dr Odd</t>'
        b'</is></c><c r="' + digits + b'" s="' + digits + b'"><v>7</v></c></row>'
    )
    content = workbook(
        [["Name", "Count"]],
        {
            SHEET: lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>"),
            "xl/workbook.xml": lambda xml: xml.replace(
                b"<sheets>",
                b'<bookViews><workbookView activeTab="\xd9\xa3"/></bookViews><sheets>',
                1,
            ),
        },
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    assert response.status_code == 302 and seconds < 1
    job = ImportJob.objects.get()
    assert (job.status, job.rows) == ("mapping", [["Dr Odd", "7"]]), job.error
    ImportJob.objects.all().delete()
    negative = b'<row r="2"><c r="A2" t="s"><v>-1</v></c></row>'
    content = shared_strings(
        workbook(
            [["Name"]],
            {SHEET: lambda xml: xml.replace(b"</sheetData>", negative + b"</sheetData>")},
        )
    )
    response, seconds = eager(owner_client, content, "kols.xlsx")
    refused_by_the_worker(owner_client, response, seconds, "points to a text it does not hold")
