"""An export imports back unchanged: the KOL list as CSV or XLSX, into a fresh owner."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contacts.models import ImportJob, Kol
from tests.conftest import client_for
from tests.contacts.test_import import import_csv, run, start, upload
from tests.factories import KolFactory, MembershipFactory, TherapeuticAreaFactory, UserFactory

# Who owns the KOL is the one thing an import does not carry: the importer owns them.
NOT_CARRIED = {"Owner"}


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[dict]:
    values = list(load_workbook(io.BytesIO(content)).active.values)
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def carried(rows: list[dict]) -> list[dict]:
    return sorted(
        ({k: v for k, v in row.items() if k not in NOT_CARRIED} for row in rows),
        key=lambda row: row["Name"],
    )


@pytest.fixture
def exported_kols(owner):
    cardiology = TherapeuticAreaFactory(name="Cardiology")
    oncology = TherapeuticAreaFactory(name="Oncology")
    ada = KolFactory(
        owner=owner,
        name="Ada Lovelace",
        credentials="Prof, MD",
        specialty="Cardiology",
        institution="Uni of Leeds",
        city="Leeds",
        country="UK",
        email="ada@example.test",
        phone="+44 113 496 0000",
        stage="developing",
        last_interaction_at=timezone.now() - datetime.timedelta(days=20),
    )
    ada.therapeutic_areas.set([cardiology, oncology])
    KolFactory(owner=owner, name="Bea Quist", credentials="", phone="", stage="maintaining")
    for kol in Kol.objects.all():
        kol.next_check_in_on = kol.compute_next_check_in()
        kol.save()


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_it_imports_an_export_back_unchanged(exported_kols, owner, team, ext):
    url = reverse(f"contacts:kol_export_{ext}")
    read = csv_rows if ext == "csv" else xlsx_rows
    before = read(client_for(owner).get(url).content)
    fresh = UserFactory(email="fresh@example.test")
    MembershipFactory(team=team, user=fresh)
    fresh_client = client_for(fresh)

    assert (
        upload(fresh_client, client_for(owner).get(url).content, f"kols.{ext}").status_code == 302
    )
    job = ImportJob.objects.latest("pk")
    assert start(fresh_client, job).status_code == 302
    run(job)

    after = read(fresh_client.get(url).content)
    assert len(after) == len(before) == 2
    assert carried(after) == carried(before)
    assert {row["Owner"] for row in after} == {str(fresh)}


def test_a_title_before_the_name_becomes_the_credentials_and_phone_and_notes_are_kept(
    owner_client, owner
):
    import_csv(
        owner_client,
        "Name,Title,Phone,Notes\n"
        "Dr Amara Nwosu,,+44 20 7946 0000,Runs marathons; prefers mornings\n"
        "Prof. Ben Ito,PhD,,\n"
        "Carla Diaz,MD,,\n",
    )

    kols = {k.name: k for k in Kol.objects.filter(owner=owner)}
    assert set(kols) == {"Amara Nwosu", "Ben Ito", "Carla Diaz"}
    assert kols["Amara Nwosu"].credentials == "Dr"
    assert kols["Amara Nwosu"].phone == "+44 20 7946 0000"
    assert kols["Amara Nwosu"].passions == "Runs marathons; prefers mornings"
    assert kols["Ben Ito"].credentials == "Prof., PhD"
    assert kols["Carla Diaz"].credentials == "MD"
    # Sorted by the name itself, not under D for "Dr".
    assert list(Kol.objects.filter(owner=owner).values_list("name", flat=True)) == [
        "Amara Nwosu",
        "Ben Ito",
        "Carla Diaz",
    ]
