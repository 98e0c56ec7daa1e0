"""The limits an uploaded spreadsheet is read within, and what we tell the user at each.

Nothing in the file is trusted: every reader counts what it has read into `Rows`, which
stops at the first limit with a message that says which limit and where.
"""

import time

from common.text import clean_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # KOLs, the header row aside
# Wide CRM exports fit; the mapping page has one choice per column.
MAX_COLUMNS = 100
# Our longest field is an email (254); a list of interests gets room for ~100 topics.
MAX_CELL_CHARS = 2_000
# All the cells' text together: twice what a 5 MB CSV holds (an XLSX packs its text, and
# one shared text can fill every cell: 5 MB would otherwise become gigabytes).
MAX_TOTAL_CHARS = 10_000_000
# CPU seconds for one read: a 20,000-row, 15-column XLSX takes about 2.5 here, the most
# the other limits let through (2 million cells) about 15.
READ_SECONDS = 30.0
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024  # the parts' declared sizes together
# A part over 1 MB packed tighter than this is a zip bomb (Excel's own XML packs ~10-30x).
ZIP_MAX_RATIO = 200
XML_CHUNK = 64 * 1024

NOT_A_SPREADSHEET = "This is not a spreadsheet: upload a CSV or an XLSX file."
OLE_FILE = (
    "This is an old Excel .xls file or a password-protected workbook: save it as .xlsx "
    "without a password (or as CSV) and upload that."
)
DAMAGED = (
    "This Excel file is damaged ({detail}): open it in Excel, save it again and upload that, "
    "or save it as CSV."
)
UNREADABLE_TEXT = (
    "We could not read the text of this file. Save it as CSV UTF-8 (or as an Excel .xlsx "
    "file) and upload it again."
)
TOO_LONG_TO_READ = (
    f"This file took more than {READ_SECONDS:.0f} seconds to read, so we stopped. Remove "
    "empty or formatted rows and columns you do not need (or save it as CSV) and upload again."
)


class ImportFileError(Exception):
    """The file cannot be imported; the message is for the user."""


def column_letter(index: int) -> str:
    """Column 0 -> A, 27 -> AB: what a spreadsheet calls it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Rows:
    """The non-empty rows read so far, each cell cleaned; raises at the first limit."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.chars = 0
        self.deadline = time.thread_time() + READ_SECONDS

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise ImportFileError(TOO_LONG_TO_READ)

    def add(self, number: int, raw: list[str]) -> None:
        """Row `number` of the file (as a spreadsheet numbers it), its cells as found."""
        self.tick()
        while raw and not raw[-1].strip():
            raw.pop()
        if len(raw) > MAX_COLUMNS:
            raise ImportFileError(
                f"Row {number} has {len(raw):,} columns; a file can have at most "
                f"{MAX_COLUMNS}. Remove the columns you do not need and upload again."
            )
        row = []
        for index, value in enumerate(raw):
            if len(value) > MAX_CELL_CHARS:
                raise too_long(number, index, len(value))
            row.append(" ".join(clean_text(value).split()))
        if not any(row):
            return
        self.chars += sum(map(len, row))
        if self.chars > MAX_TOTAL_CHARS:
            raise ImportFileError(
                f"This file holds more than {MAX_TOTAL_CHARS:,} characters of text. Split it "
                "(or remove the columns you do not need) and import each part."
            )
        self.rows.append(row)
        if len(self.rows) > MAX_ROWS + 1:
            raise ImportFileError(
                f"This file has more than {MAX_ROWS:,} rows. Split it and import each part."
            )


def too_long(number: int, index: int, length: int | None = None) -> ImportFileError:
    holds = f"{length:,}" if length else f"more than {MAX_CELL_CHARS:,}"
    return ImportFileError(
        f"Row {number}, column {column_letter(index)} holds {holds} characters; a cell can "
        f"hold at most {MAX_CELL_CHARS:,}. Shorten it (or remove the column) and upload again."
    )
