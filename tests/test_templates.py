"""Template hygiene that no page test would notice until a user does."""

import datetime
import re
from pathlib import Path

from common.templatetags.machine import machine_time

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Django's {# #} comment ends at the line's end: one that runs on is printed as text, and
# a tag named in it (say "<details>") is then parsed by the browser.
RUNAWAY_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_comment_runs_over_a_line():
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
        for text in [path.read_text()]
        for match in RUNAWAY_COMMENT.finditer(text)
    ]
    assert found == []


def test_the_check_sees_a_comment_that_runs_on():
    assert RUNAWAY_COMMENT.search("{# one line #}\n{# two\nlines #}")
    assert not RUNAWAY_COMMENT.search("{# one line #} text {# another #}")


def test_machine_times_are_to_the_second_with_their_offset():
    moment = datetime.datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    assert machine_time(moment) == "2026-12-04T09:30:15+00:00"
    assert machine_time(datetime.date(2026, 12, 4)) == "2026-12-04"
    assert machine_time(None) == ""


def test_no_template_writes_microseconds_into_a_datetime_attribute():
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "|date:'c'" in path.read_text() or '|date:"c"' in path.read_text()
    ]
    assert found == []
