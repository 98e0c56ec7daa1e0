"""The XLSX reader: streams the workbook's XML itself (expat), within the reading limits.

openpyxl's reader builds a whole `<row>` before it hands it over, pads rows to the claimed
dimension and fails on a text in a number cell; this one holds at most a row's cells.
"""

import datetime
import io
import lzma
import math
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterable
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from contacts.spreadsheet_limits import (
    DAMAGED,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TOTAL_CHARS,
    NOT_A_SPREADSHEET,
    XML_CHUNK,
    ImportFileError,
    Rows,
    column_letter,
    too_long,
)


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


def read_xlsx(data: bytes, rows: Rows) -> None:
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
