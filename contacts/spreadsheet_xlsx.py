"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of text, within hard limits.

Nothing in the file is trusted: not its name, not its `<dimension>`, not the sizes its ZIP
declares beyond checking them. `check_upload` looks at the bytes only (what kind of file,
the ZIP's directory), fast enough for a web request; `read_rows` parses, in the worker, and
stops at the first limit it meets with a message that says which limit and where. The XLSX
reader streams the XML itself (expat): openpyxl's reader builds a whole `<row>` before it
hands it over, pads rows to the claimed dimension and fails on a text in a number cell.
"""

import codecs
import csv
import datetime
import io
import lzma
import math
import posixpath
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

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


def read_rows(data: bytes) -> list[list[str]]:
    """The file's non-empty rows as cleaned text, or ImportFileError with the reason."""
    rows = Rows()
    if check_upload(data) == "xlsx":
        _read_xlsx(data, rows)
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


# XLSX ---------------------------------------------------------------------------------


class _TooLong:
    """A shared text over MAX_CELL_CHARS: an error only if a cell uses it."""

    def __init__(self, length: int):
        self.length = length


class _LocalNames(dict):
    """A tag without its namespace ("{ns}c" -> "c"), remembered: handlers see millions."""

    def __missing__(self, tag: str) -> str:
        name = tag.rpartition("}")[2]
        if len(self) < 1024:  # a hostile file's made-up names do not grow it for ever
            self[tag] = name
        return name


class _ColumnNumbers(dict):
    """Column letters as a number ("AB" -> 28), remembered; 0 for anything but 1-3 letters."""

    def __missing__(self, letters: str) -> int:
        number = 0
        if 0 < len(letters) <= 3 and letters.isascii() and letters.isalpha():
            for letter in letters.upper():
                number = number * 26 + ord(letter) - 64
        if len(self) < 20_000:
            self[letters] = number
        return number


LOCAL = _LocalNames()
COLUMNS = _ColumnNumbers()


def _whole(text: str, default: int) -> int:
    """A whole number written in the file; `default` for anything else (int() would take
    "٣", refuse "²" and anything over 4,300 digits with an error)."""
    return int(text) if 0 < len(text) <= 9 and text.isascii() and text.isdecimal() else default


def _refuse_dtd(*args) -> None:
    # No spreadsheet needs a DTD; entities are how XML bombs expand.
    raise ImportFileError(DAMAGED.format(detail="it declares a DTD"))


def _parse_part(
    archive: zipfile.ZipFile,
    name: str,
    rows: Rows,
    *,
    start: Callable[[str, dict], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Stream one XML part of the workbook through the handlers, a chunk at a time."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    # The handlers get the tag as expat gives it, LOCAL[tag] is its name without namespace.
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    try:
        with archive.open(name) as part:
            while chunk := part.read(XML_CHUNK):
                parser.Parse(chunk, False)
                rows.tick()
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ImportFileError(DAMAGED.format(detail=f"{name}: {exc}")) from exc
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, RuntimeError) as exc:
        raise ImportFileError(DAMAGED.format(detail=f"{name} cannot be unpacked")) from exc


def _relationships(archive: zipfile.ZipFile, rows: Rows, part: str) -> dict[str, tuple]:
    """Id -> (type, path in the archive) of a part's relationships."""
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{file}.rels")
    found: dict[str, tuple] = {}
    if rels not in archive.namelist():
        return found

    def start(tag: str, attrs: dict) -> None:
        if LOCAL[tag] == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    _parse_part(archive, rels, rows, start=start)
    return found


def _first_sheet(archive: zipfile.ZipFile, rows: Rows) -> tuple[str, bool, dict[str, tuple]]:
    """(the path of the sheet that opens first, whether dates count from 1904, relationships)."""
    sheets: list[str] = []
    book = {"active": 0, "1904": False}

    def start(tag: str, attrs: dict) -> None:
        tag = LOCAL[tag]
        if tag == "sheet":  # r:id, in the transitional or the strict namespace
            sheets.append(next((v for k, v in attrs.items() if k.endswith("relationships}id")), ""))
        elif tag == "workbookPr":
            book["1904"] = attrs.get("date1904", "").lower() in {"1", "true"}
        elif tag == "workbookView" and "activeTab" in attrs and not book.get("view"):
            book["view"] = True
            book["active"] = _whole(attrs["activeTab"], 0)

    _parse_part(archive, "xl/workbook.xml", rows, start=start)
    related = _relationships(archive, rows, "xl/workbook.xml")
    paths = [related.get(rid, ("", ""))[1] for rid in sheets]
    paths = [path for path in paths if path in archive.namelist()]
    if not paths:
        raise ImportFileError(DAMAGED.format(detail="it has no sheet we can read"))
    active = sheets[book["active"]] if book["active"] < len(sheets) else ""
    path = related.get(active, ("", ""))[1]
    return (path if path in paths else paths[0]), book["1904"], related


def _shared_strings(archive: zipfile.ZipFile, rows: Rows, path: str) -> list:
    """The workbook's shared texts; one over MAX_CELL_CHARS is kept as its length only."""
    strings: list = []
    state = {"in": False, "phonetic": 0, "length": 0}
    parts: list[str] = []
    total = 0

    def start(tag: str, attrs: dict) -> None:
        tag = LOCAL[tag]
        if tag == "si":
            parts.clear()
            state["length"] = 0
        elif tag == "rPh":  # the phonetic reading of Japanese text, not the text
            state["phonetic"] += 1
        elif tag == "t" and not state["phonetic"]:
            state["in"] = True

    def text(data: str) -> None:
        if state["in"]:
            state["length"] += len(data)
            if state["length"] <= MAX_CELL_CHARS:
                parts.append(data)

    def end(tag: str) -> None:
        nonlocal total
        tag = LOCAL[tag]
        if tag == "t":
            state["in"] = False
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "si":
            if state["length"] > MAX_CELL_CHARS:
                strings.append(_TooLong(state["length"]))
                return
            value = "".join(parts)
            total += len(value)
            # More texts than a sheet within the limits can show, or more text in all.
            if total > MAX_TOTAL_CHARS or len(strings) >= MAX_ROWS * MAX_COLUMNS:
                raise ImportFileError(
                    "This workbook holds more text than a sheet of "
                    f"{MAX_ROWS:,} rows and {MAX_COLUMNS} columns can show. Save the sheet with "
                    "your KOLs as CSV and upload that."
                )
            strings.append(value)

    _parse_part(archive, path, rows, start=start, end=end, text=text)
    return strings


def _date_styles(archive: zipfile.ZipFile, rows: Rows, path: str) -> tuple[set, set]:
    """The cell styles (indexes) that show a number as a date, and as a duration."""
    formats: dict[int, str] = {}
    styles: list[int] = []
    inside = {"cellXfs": False}

    def start(tag: str, attrs: dict) -> None:
        tag = LOCAL[tag]
        if tag == "numFmt" and _whole(attrs.get("numFmtId", ""), -1) >= 0:
            formats[_whole(attrs["numFmtId"], -1)] = attrs.get("formatCode", "")[:255]
        elif tag == "cellXfs":
            inside["cellXfs"] = True
        elif tag == "xf" and inside["cellXfs"] and len(styles) < 65_536:
            number = attrs.get("numFmtId", "0")
            styles.append(_whole(number, 0))

    def end(tag: str) -> None:
        if LOCAL[tag] == "cellXfs":
            inside["cellXfs"] = False

    _parse_part(archive, path, rows, start=start, end=end)
    dates, durations = set(), set()
    for index, number in enumerate(styles):
        code = formats.get(number, BUILTIN_FORMATS.get(number))
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


class _Sheet:
    """Streams a worksheet's cells into Rows: at most MAX_COLUMNS cells of a row are held."""

    def __init__(self, rows: Rows, strings: list, dates: set, durations: set, epoch):
        self.rows, self.strings = rows, strings
        self.dates, self.durations, self.epoch = dates, durations, epoch
        self.in_row = self.in_cell = self.capture = False
        self.inline = self.phonetic = 0
        self.number = self.column = 0
        self.cells: dict[int, str] = {}
        self.kind, self.style = "n", 0
        self.parts: list[str] = []
        self.length = 0

    def start(self, tag: str, attrs: dict) -> None:
        tag = LOCAL[tag]
        if tag == "row":
            row = attrs.get("r", "")
            self.number = _whole(row, self.number + 1)
            self.column, self.cells, self.in_row = 0, {}, True
        elif tag == "c" and self.in_row:
            ref = attrs.get("r")
            self.column = (ref and COLUMNS[ref.rstrip("0123456789")]) or self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s", "0")
            self.style = _whole(style, 0)
            self.in_cell, self.parts, self.length = True, [], 0
        elif not self.in_cell:
            return
        elif tag == "v":
            self.capture = True
        elif tag == "is":
            self.inline += 1
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.inline and not self.phonetic:
            self.capture = True

    def text(self, data: str) -> None:
        if self.capture:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:  # stop here: never hold a huge text
                raise too_long(self.number, self.column - 1)
            self.parts.append(data)

    def end(self, tag: str) -> None:
        tag = LOCAL[tag]
        if tag in {"v", "t"}:
            self.capture = False
        elif tag == "is":
            self.inline -= 1
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c" and self.in_cell:
            self.in_cell = False
            value = self.value("".join(self.parts))
            if not value.strip():
                return
            if self.column > MAX_COLUMNS:
                raise ImportFileError(
                    f"Row {self.number} has a value in column {column_letter(self.column - 1)}"
                    f"; a file can have at most {MAX_COLUMNS} columns. Remove the columns you "
                    "do not need and upload again."
                )
            self.cells[self.column] = value
        elif tag == "row" and self.in_row:
            self.in_row = False
            raw = [""] * max(self.cells, default=0)
            for column, value in self.cells.items():
                raw[column - 1] = value
            self.rows.add(self.number, raw)

    def value(self, raw: str) -> str:
        """The cell as text; a value that does not fit its type is kept as the text it is."""
        kind = self.kind
        if kind == "s":
            index = _whole(raw.strip(), -1)
            if not 0 <= index < len(self.strings):
                raise ImportFileError(
                    DAMAGED.format(
                        detail=f"row {self.number}, column {column_letter(self.column - 1)} "
                        "points to a text it does not hold"
                    )
                )
            found = self.strings[index]
            if isinstance(found, _TooLong):
                raise too_long(self.number, self.column - 1, found.length)
            return found
        if kind == "b":
            return {"1": "TRUE", "0": "FALSE"}.get(raw.strip(), raw)
        if kind == "d":
            try:
                return datetime.datetime.fromisoformat(raw.strip()).date().isoformat()
            except ValueError:
                return raw
        if kind != "n" or not raw.strip():
            return raw  # inlineStr, str (a formula's text), e (#N/A), or a type we don't know
        return self.number_text(raw)

    def number_text(self, raw: str) -> str:
        try:
            number = float(raw)
        except ValueError:
            return raw  # a text in a number cell: keep the text
        if not math.isfinite(number):
            return raw
        if self.style in self.dates:
            try:
                when = from_excel(number, self.epoch, timedelta=self.style in self.durations)
            except (ArithmeticError, ValueError):
                return raw
            if isinstance(when, datetime.datetime):
                return when.date().isoformat()
            return str(when)
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return str(number)


def _part_of_type(related: dict[str, tuple], kind: str, default: str) -> str:
    paths: Iterable[str] = (path for rel, path in related.values() if rel.endswith(kind))
    return next(iter(paths), default)


def _read_xlsx(data: bytes, rows: Rows) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(NOT_A_SPREADSHEET) from exc
    with archive:
        sheet, mac_dates, related = _first_sheet(archive, rows)
        strings_path = _part_of_type(related, "/sharedStrings", "xl/sharedStrings.xml")
        styles_path = _part_of_type(related, "/styles", "xl/styles.xml")
        strings: list = []
        if strings_path in archive.namelist():
            strings = _shared_strings(archive, rows, strings_path)
        dates: set = set()
        durations: set = set()
        if styles_path in archive.namelist():
            dates, durations = _date_styles(archive, rows, styles_path)
        epoch = CALENDAR_MAC_1904 if mac_dates else CALENDAR_WINDOWS_1900
        reader = _Sheet(rows, strings, dates, durations, epoch)
        _parse_part(archive, sheet, rows, start=reader.start, end=reader.end, text=reader.text)
