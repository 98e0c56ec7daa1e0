"""Spreadsheet files: CSV and XLSX writers, and the KOL list's columns.

Every cell goes through `neutralise`: a spreadsheet must never run a value we hold (a name, a
note a KOL dictated) as a formula. Control characters go first (common.text.clean_text: a
spreadsheet drops them, so `\\x01=1+1` would arrive as `=1+1`), then text that starts with
= + - @, tab or CR, also after leading spaces (some spreadsheets trim them), gets a leading
single quote.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from common.text import clean_text
from contacts.models import CheckInStatus, Kol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 50  # characters: a long note wraps the column no wider than this
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KOL_COLUMNS = [
    "Name",
    "Credentials",
    "Specialty",
    "Institution",
    "City",
    "Country",
    "Email",
    "Phone",
    "Stage",
    "Owner",
    "Last touchpoint",
    "Next check-in",
    "Check-in status",
    "Therapeutic areas",
]


def neutralise(value: object) -> str:
    """The cell as text, with a leading quote if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        text = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = clean_text(text)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return f"'{text}"
    return text


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    # The BOM makes Excel read the file as UTF-8 (names with accents survive).
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return _attachment(response, filename)


def xlsx_cell(value: object) -> object:
    """The cell with its type: a date, a time in the user's zone (Excel has no zones) or a
    number as itself, so a spreadsheet sorts and sums them; anything else as neutral text."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, datetime.date | int | float | Decimal) and not isinstance(value, bool):
        return value
    # Text: openpyxl would otherwise store "=..." as a live formula.
    return neutralise(value)


def _width(value: object) -> int:
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, title: str
) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    widths = [len(name) for name in header]
    for row in rows:
        cells = [xlsx_cell(cell) for cell in row]
        sheet.append(cells)
        widths = [max(w, _width(c)) for w, c in zip(widths, cells, strict=False)]
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, MAX_WIDTH) + 2
    sheet.freeze_panes = "A2"  # the header stays in view
    sheet.auto_filter.ref = sheet.dimensions  # a filter button on every column
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, filename)


def kol_row(kol: Kol, *, today: datetime.date) -> list:
    """One KOL in the list export; `therapeutic_areas` must be prefetched."""
    return [
        kol.name,
        kol.credentials,
        kol.specialty,
        kol.institution,
        kol.city,
        kol.country,
        kol.email,
        kol.phone,
        kol.get_stage_display(),
        str(kol.owner),
        # The owner's day, as the check-in counts it: an import reads it back to the same day.
        kol.last_interaction_at and kol.last_interaction_at.astimezone(kol.owner.zone).date(),
        kol.next_check_in,
        CheckInStatus.of(kol, today=today).label,
        ", ".join(area.name for area in kol.therapeutic_areas.all()),
    ]
