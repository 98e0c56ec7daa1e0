"""A formula behind a control character: `\\x01=HYPERLINK(...)` must not come out live.

A spreadsheet drops the control character and runs what follows, so every export cleans the
text first (common.text.clean_text) and then neutralises it. The attacker types it into a
form or puts it in an imported file; an older row may already hold it.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from contacts import imports
from contacts.exports import neutralise
from contacts.forms import StageChangeForm
from contacts.models import ImportJob, Kol
from engagements.models import Touchpoint
from tests.factories import KolFactory, MembershipFactory, UserFactory

ATTACK = '\x01=HYPERLINK("http://x","y")'
SAFE = '\'=HYPERLINK("http://x","y")'


def csv_cells(response) -> set[str]:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8-sig")
    return {cell for row in list(csv.reader(io.StringIO(content, newline="")))[1:] for cell in row}


def xlsx_cells(response) -> list:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row]


@pytest.fixture
def stored(owner):
    """A KOL saved before inputs were cleaned: the control character is in the database."""
    return KolFactory(owner=owner, name=ATTACK, credentials="", city=" =1+1")


def test_the_kol_form_drops_the_control_character(owner_client):
    response = owner_client.post(
        reverse("contacts:kol_create"),
        {"name": ATTACK, "institution": "Uni\x00", "cadence_days": 60, "stage": "developing"},
    )
    assert response.status_code == 302
    kol = Kol.objects.get()
    assert (kol.name, kol.institution) == ('=HYPERLINK("http://x","y")', "Uni")


def test_an_imported_file_drops_the_control_character(owner_client):
    response = owner_client.post(
        reverse("contacts:import_upload"),
        {"file": SimpleUploadedFile("kols.csv", f'Name\n"{ATTACK.replace('"', '""')}"\n'.encode())},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and imports.import_read(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows == [['=HYPERLINK("http://x","y")']]


def test_the_kol_list_csv_and_xlsx_neutralise_it(owner_client, stored):
    cells = csv_cells(owner_client.get(reverse("contacts:kol_export_csv")))
    assert SAFE in cells and "' =1+1" in cells
    assert not [c for c in cells if c.lstrip().startswith(("=", "+", "-", "@")) or "\x01" in c]

    found = xlsx_cells(owner_client.get(reverse("contacts:kol_export_xlsx")))
    values = {cell.value for cell in found}
    assert SAFE in values and "' =1+1" in values
    assert all(cell.data_type != "f" for cell in found)


def test_the_timeline_csv_neutralises_it(owner_client, owner, stored):
    Touchpoint.objects.create(
        kol=stored, by=owner, kind="meeting", occurred_at=timezone.now(), summary=ATTACK
    )
    cells = csv_cells(owner_client.get(reverse("privacy:kol_timeline_csv", args=[stored.pk])))
    assert SAFE in cells and not [c for c in cells if "\x01" in c]


def test_the_managers_board_csv_neutralises_it(manager_client, stored):
    cells = csv_cells(manager_client.get(reverse("reviews:board_csv")))
    assert SAFE in cells and not [c for c in cells if c.startswith("=") or "\x01" in c]


def test_the_team_overview_csv_neutralises_it(manager_client, team):
    MembershipFactory(team=team, user=UserFactory(display_name=ATTACK))
    assert User.objects.filter(display_name=ATTACK).exists()
    cells = csv_cells(manager_client.get(reverse("reviews:overview_csv")))
    assert SAFE in cells and not [c for c in cells if c.startswith("=") or "\x01" in c]


def test_the_skipped_rows_csv_neutralises_headers_and_cells(owner_client, owner):
    job = ImportJob.objects.create(
        owner=owner,
        file_name="kols.csv",
        status=ImportJob.Status.DONE,
        headers=[ATTACK, "Email"],
        rows=[[ATTACK, "bad"]],
        skipped=[[2, "email “bad” is not a valid address"]],
    )
    response = owner_client.get(reverse("contacts:import_skipped_csv", args=[job.pk]))
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content, newline="")))
    assert rows[0] == ["row", "reason", SAFE, "Email"] and rows[1][2] == SAFE
    assert "\x01" not in content


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (ATTACK, SAFE),
        ("\x00\x1f+1", "'+1"),
        (" =1+1", "' =1+1"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        ("\n-2", "'\n-2"),
        ("\t=cmd", "'\t=cmd"),
        ("Dr\x07 Ada", "Dr Ada"),
        ("a = b", "a = b"),
    ],
)
def test_neutralise_cleans_first_then_looks_past_leading_spaces(value, expected):
    assert neutralise(value) == expected


def test_the_stage_change_form_drops_control_characters(kol):
    form = StageChangeForm(
        {"to_stage": "developing", "reason": "\x00Met at\x1b ESC", "version": kol.version},
        kol=kol,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reason"] == "Met at ESC"


def test_a_name_of_control_characters_only_is_no_name(owner_client):
    response = owner_client.post(
        reverse("contacts:kol_create"),
        {"name": "\x01\x02\x00", "cadence_days": 60, "stage": "developing"},
    )
    assert response.status_code == 422 and "Give the KOL" in response.content.decode()
    assert not Kol.objects.exists()
