"""Text that came from outside (a form, an uploaded file) without the characters that do harm.

Control characters are invisible on the page yet change what a spreadsheet does with a cell
(`\\x01=HYPERLINK(...)` loses its `\\x01` on the way into Excel and runs), and PostgreSQL
refuses NUL in text and JSON (a 500). Tab, line feed and carriage return stay: notes have
lines, and the exports neutralise a cell that starts with one.
"""

import re

# The longest note a form takes (a pasted document is refused with a message saying so).
TEXT_MAX_CHARS = 20_000

# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates (no encoding takes
# them); U+FFFE and U+FFFF, which XML (so XLSX) refuses.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """The text without control characters (tab, line feed and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub("", value)
