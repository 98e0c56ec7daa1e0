"""The KOL list as XLSX: real dates and numbers, sized columns, a filter row, a frozen header."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contacts.exports import xlsx_cell
from tests.factories import KolFactory

URL = reverse("contacts:kol_export_xlsx")


def test_it_writes_dates_as_dates_with_a_filter_row_widths_and_a_frozen_header(owner_client, owner):
    KolFactory(
        owner=owner,
        name="Ada Lovelace",
        institution="A very long institution name, Department of Cardiology",
        last_interaction_at=timezone.now() - datetime.timedelta(days=3),
        next_check_in_on=timezone.localdate() + datetime.timedelta(days=27),
    )

    sheet = load_workbook(io.BytesIO(owner_client.get(URL).content)).active

    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, (cell for cell in sheet[2]), strict=True))
    assert isinstance(row["Last touchpoint"].value, datetime.datetime)  # openpyxl reads dates so
    assert row["Last touchpoint"].is_date and row["Next check-in"].is_date
    assert row["Next check-in"].value.date() == timezone.localdate() + datetime.timedelta(days=27)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N2"
    widths = {c: sheet.column_dimensions[c].width for c in "AD"}
    assert widths["D"] > widths["A"] >= len("Ada Lovelace")


def test_numbers_stay_numbers_and_text_is_still_neutralised():
    assert xlsx_cell(42) == 42 and xlsx_cell(2.5) == 2.5
    assert xlsx_cell(True) == "True"
    assert xlsx_cell("=1+1") == "'=1+1"
    assert xlsx_cell(None) == ""
