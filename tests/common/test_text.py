import pytest

from common.text import clean_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Dr Ada Lovelace", "Dr Ada Lovelace"),
        ('\x01=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
        ("Dr A\x00da", "Dr Ada"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("del\x7f and nel\x85 and csi\x9b", "del and nel and csi"),
        ("line one\nline two\r\n\tindented", "line one\nline two\r\n\tindented"),
        ("vertical\x0btab and form\x0cfeed", "verticaltab and formfeed"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("not XML \ufffe\uffff", "not XML "),
        ("Zoë, Köln, 東京, naïve — “quoted” €", "Zoë, Köln, 東京, naïve — “quoted” €"),
        ("", ""),
    ],
)
def test_it_removes_control_characters_but_tab_and_line_ends(value, expected):
    assert clean_text(value) == expected


def test_it_removes_every_c0_and_c1_control_but_tab_lf_cr():
    controls = "".join(chr(n) for n in [*range(0x20), *range(0x7F, 0xA0)])
    assert clean_text(controls) == "\t\n\r"
