import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from contacts.exports import KOL_COLUMNS, neutralise
from contacts.models import Collaborator, Stage
from tests.conftest import client_for
from tests.factories import KolFactory, TherapeuticAreaFactory

CSV_URL = reverse("contacts:kol_export_csv")
XLSX_URL = reverse("contacts:kol_export_xlsx")


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [
        ["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def names(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows[1:]]


def test_it_exports_every_column_of_the_visible_kols(owner_client, owner, outsider):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    kol = KolFactory(
        name="Dr Grace Hopper",
        credentials="MD, PhD",
        specialty="Nephrology",
        institution="Yale",
        city="New Haven",
        country="USA",
        email="grace@example.test",
        phone="+1 555 0100",
        owner=owner,
        stage=Stage.DEVELOPING,
    )
    kol.therapeutic_areas.add(cardio)
    KolFactory(name="Dr Hidden Person", owner=outsider)
    response = owner_client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kols-')
    rows = read_csv(response)
    assert rows[0] == KOL_COLUMNS
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Name"] == "Dr Grace Hopper" and row["Credentials"] == "MD, PhD"
    assert row["Specialty"] == "Nephrology" and row["Institution"] == "Yale"
    assert row["City"] == "New Haven" and row["Country"] == "USA"
    assert row["Email"] == "grace@example.test"
    # A phone number starting with + is neutralised too: a spreadsheet would compute it.
    assert row["Phone"] == "'+1 555 0100"
    assert row["Stage"] == "Developing" and row["Owner"] == "Olivia Owner"
    assert row["Last touchpoint"] == ""
    assert row["Next check-in"] == kol.next_check_in.isoformat()
    assert row["Check-in status"] == kol.check_in_status.label
    assert row["Therapeutic areas"] == "Cardiology"


def test_it_applies_the_lists_filters_and_sort(owner_client, owner):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    a = KolFactory(name="Dr A", owner=owner, stage=Stage.MAINTAINING, institution="Yale")
    a.therapeutic_areas.add(cardio)
    KolFactory(name="Dr B", owner=owner, stage=Stage.ESTABLISHING, institution="Yale")
    KolFactory(name="Dr C", owner=owner, stage=Stage.DEVELOPING, institution="Oxford")
    KolFactory(name="Dr Archived", owner=owner, is_archived=True)
    assert names(read_csv(owner_client.get(CSV_URL))) == ["Dr A", "Dr B", "Dr C"]
    assert names(read_csv(owner_client.get(CSV_URL, {"stage": "maintaining"}))) == ["Dr A"]
    assert names(read_csv(owner_client.get(CSV_URL, {"area": cardio.pk}))) == ["Dr A"]
    assert names(read_csv(owner_client.get(CSV_URL, {"q": "yale"}))) == ["Dr A", "Dr B"]
    assert names(read_csv(owner_client.get(CSV_URL, {"sort": "-name"}))) == ["Dr C", "Dr B", "Dr A"]
    assert names(read_xlsx(owner_client.get(XLSX_URL, {"q": "oxford"}))) == ["Dr C"]


def test_filters_that_were_not_understood_export_no_rows(owner_client, kol):
    rows = read_csv(owner_client.get(CSV_URL, {"stage": "nonsense"}))
    assert rows == [KOL_COLUMNS]


def test_a_manager_exports_the_team_and_filters_by_owner(manager_client, kol, teammate):
    KolFactory(name="Dr Teammate Kol", owner=teammate)
    assert names(read_csv(manager_client.get(CSV_URL))) == ["Dr Ada Lovelace", "Dr Teammate Kol"]
    rows = read_csv(manager_client.get(CSV_URL, {"owner": teammate.pk}))
    assert names(rows) == ["Dr Teammate Kol"]


def test_a_collaborator_exports_what_they_collaborate_on(teammate_client, kol, teammate):
    assert names(read_csv(teammate_client.get(CSV_URL))) == []
    Collaborator.objects.create(kol=kol, user=teammate)
    assert names(read_csv(teammate_client.get(CSV_URL))) == ["Dr Ada Lovelace"]


def test_an_outsider_gets_none_of_our_kols(outsider_client, kol):
    assert read_csv(outsider_client.get(CSV_URL)) == [KOL_COLUMNS]
    assert read_xlsx(outsider_client.get(XLSX_URL)) == [KOL_COLUMNS]


def test_formulas_are_neutralised_in_csv_and_xlsx(owner_client, owner):
    KolFactory(
        name='=HYPERLINK("http://evil.test","click")',
        institution="@SUM(1+1)",
        specialty="-2+3",
        city="\tcmd",
        owner=owner,
    )
    for rows in (read_csv(owner_client.get(CSV_URL)), read_xlsx(owner_client.get(XLSX_URL))):
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["Name"] == '\'=HYPERLINK("http://evil.test","click")'
        assert row["Institution"] == "'@SUM(1+1)"
        assert row["Specialty"] == "'-2+3"
        assert row["City"] == "'\tcmd"


def test_the_xlsx_file_holds_text_not_formulas(owner_client, owner):
    KolFactory(name="=1+1", owner=owner)
    response = owner_client.get(XLSX_URL)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook.active["A2"]
    assert cell.value == "'=1+1" and cell.data_type == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@me", "'@me"),
        ("\rx", "'\rx"),
        ("Dr Ada", "Dr Ada"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_it_answers_only_get(owner_client, url):
    assert owner_client.post(url).status_code == 405


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_anonymous_users_are_sent_to_sign_in(url, db):
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_the_queries_do_not_grow_with_the_rows(manager_client, owner, teammate, url):
    areas = [TherapeuticAreaFactory(name=f"Area {i}") for i in range(3)]

    def add(count):
        for kol in KolFactory.create_batch(count, owner=owner):
            kol.therapeutic_areas.add(*areas[: kol.pk % 3 + 1])

    add(5)
    few = _queries(manager_client, url + "?sort=stage")
    add(195)
    rows = read_csv(manager_client.get(CSV_URL)) if url == CSV_URL else None
    many = _queries(manager_client, url + "?sort=stage")
    assert few == many <= 8
    if rows:
        assert len(rows) == 201
