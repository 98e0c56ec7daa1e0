"""Template hygiene that no page test would notice until a user does."""

import re
from pathlib import Path

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
