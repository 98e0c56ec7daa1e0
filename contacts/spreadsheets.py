"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of text, within hard limits.

Nothing in the file is trusted: not its name, not its `<dimension>`, not the sizes its ZIP
declares beyond checking them. `check_upload` looks at the bytes only (what kind of file,
the ZIP's directory), fast enough for a web request; `read_rows` parses, in the worker, and
stops at the first limit it meets (contacts.spreadsheet_limits) with a message that says
which limit and where. XLSX has its own streaming reader (contacts.spreadsheet_xlsx).
"""

import codecs
import csv
import io
import zipfile

from common.text import clean_text
from contacts.spreadsheet_limits import (
    MAX_BYTES,
    MAX_CELL_CHARS,
    NOT_A_SPREADSHEET,
    OLE_FILE,
    UNREADABLE_TEXT,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_UNPACKED,
    ImportFileError,
    Rows,
)
from contacts.spreadsheet_xlsx import read_xlsx

# Binary formats people rename or pick by mistake (a ZIP is looked into: it may be XLSX).
SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\x7fELF",
    b"{\\rtf",
)
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKUP_STARTS = (b"<?xml", b"<!doctype", b"<html")


# Looking at the bytes (at upload: no parsing) -----------------------------------------


def check_upload(data: bytes) -> str:
    """The kind of file, csv or xlsx, from the bytes themselves; else ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("This file is larger than 5 MB. Split it and import each part.")
    if not data.strip():
        raise ImportFileError("This file is empty.")
    if data.startswith(ZIP_SIGNATURES):
        _check_zip(data)
        return "xlsx"
    if data.startswith(OLE_SIGNATURE):
        raise ImportFileError(OLE_FILE)
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(SIGNATURES) or head.startswith(MARKUP_STARTS):
        raise ImportFileError(NOT_A_SPREADSHEET)
    _decode(data)  # text we can read, not a binary file
    return "csv"


def _check_zip(data: bytes) -> None:
    """An XLSX (a ZIP holding [Content_Types].xml and xl/workbook.xml) that unpacks small."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(NOT_A_SPREADSHEET) from exc
    names = {part.filename for part in parts}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ImportFileError(NOT_A_SPREADSHEET)
    if len(parts) > ZIP_MAX_ENTRIES:
        raise ImportFileError(
            f"This workbook holds {len(parts):,} parts (at most {ZIP_MAX_ENTRIES:,}): save "
            "the sheet with your KOLs as CSV and upload that."
        )
    if any(part.flag_bits & 0x1 for part in parts):
        raise ImportFileError(OLE_FILE)
    unpacked = sum(part.file_size for part in parts)
    tight = [
        part
        for part in parts
        if part.file_size > 1024 * 1024
        and part.file_size > ZIP_MAX_RATIO * max(part.compress_size, 1)
    ]
    if unpacked > ZIP_MAX_UNPACKED or tight:
        raise ImportFileError(
            f"This workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB"
            + (" and is packed unusually tightly" if tight else "")
            + f" (at most {ZIP_MAX_UNPACKED // 1024 // 1024} MB): it may be damaged or a zip "
            "bomb, so we did not open it. Save the sheet with your KOLs as CSV and upload that."
        )


def _utf16_without_bom(data: bytes) -> str | None:
    """Excel's "Unicode text" with its BOM cut off: every other byte is NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


# C0 control bytes but tab, LF and CR: text files hold almost none, binary files plenty.
CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r")


def _binary(controls: int, length: int) -> bool:
    # A few stray ones (a NUL, an escape) are cleaned away; a binary file has hundreds.
    return controls >= 32 and controls > 0.05 * length


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or plainly so), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif utf16 := _utf16_without_bom(data):
        encodings = [utf16]
    else:
        sample = data[:8192]
        if _binary(len(sample) - len(sample.translate(None, CONTROL_BYTES)), len(sample)):
            raise ImportFileError(NOT_A_SPREADSHEET)
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:8192]
        if _binary(len(sample) - len(clean_text(sample)), len(sample)):
            raise ImportFileError(NOT_A_SPREADSHEET)
        return text
    raise ImportFileError(UNREADABLE_TEXT)


# Reading (in the worker) --------------------------------------------------------------


def read_rows(data: bytes) -> list[list[str]]:
    """The file's non-empty rows as cleaned text, or ImportFileError with the reason."""
    rows = Rows()
    if check_upload(data) == "xlsx":
        read_xlsx(data, rows)
    else:
        _read_csv(data, rows)
    return rows.rows


def _delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the same number (> 1) of columns.

    Not csv.Sniffer: it takes seconds on a crafted 20 KB sample (quadratic regular
    expressions); three passes of the C reader over 64 KB take about a millisecond.
    """
    sample = text[:65536]
    cut = len(text) > len(sample)
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            found = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        widths = [len(row) for row in (found[:-1] if cut else found)[:20] if row]
        if not widths or widths[0] < 2:
            continue
        score = (sum(width == widths[0] for width in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, rows: Rows) -> None:
    text = clean_text(_decode(data))  # NUL and the like go before the CSV reader sees them
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, raw in enumerate(reader, start=1):
            rows.add(number, raw)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportFileError(
                f"Row {number + 1} holds a cell of more than {MAX_CELL_CHARS:,} characters "
                "(a quote may be missing). Fix it and upload again."
            ) from exc
        raise ImportFileError(f"This CSV file is malformed near row {number + 1} ({exc}).") from exc
