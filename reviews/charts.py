"""Charts drawn on the server as accessible SVG: no JavaScript, no style attributes (CSP).

A chart is a visual summary; the page's table holds the same numbers. Each chart has
role="img" with a <title> and a <desc> that says every number in words, and its segments
differ by pattern as well as colour, with a text legend.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 110
BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LEGEND_HEIGHT = 30
LABEL_CHARS = 24

# One look per segment position: a pattern (so colour never carries the meaning alone),
# drawn with the CSS classes chart-fill-N / chart-ink-N from reviews.css.
PATTERNS = (
    '<path d="M0 8 L8 0" class="chart-ink-{n}" stroke="#3d2470" stroke-width="2"/>',
    '<circle cx="4" cy="4" r="1.6" class="chart-ink-{n}" fill="#0b3f63"/>',
    "",
)


@dataclass(frozen=True)
class BarRow:
    label: str
    values: Sequence[int]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _attrs(**attrs) -> str:
    return " ".join(f'{name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())


def stacked_bar_chart(
    rows: Sequence[BarRow],
    *,
    series: Sequence[str],
    title: str,
    chart_id: str = "chart",
    unit: str = "",
) -> SafeString:
    """A horizontal stacked bar per row; `series` names the segments (at most three)."""
    if len(series) > len(PATTERNS):
        raise ValueError(f"At most {len(PATTERNS)} series: one pattern each.")
    longest = max((sum(row.values) for row in rows), default=0) or 1
    height = LEGEND_HEIGHT + ROW_HEIGHT * len(rows) + 4
    described = [
        f"{row.label}: "
        + ", ".join(
            f"{value} {name.lower()}" for name, value in zip(series, row.values, strict=True)
        )
        + "."
        for row in rows
    ]
    desc = " ".join(described) or "No data."
    if unit:
        desc = f"{unit}. {desc}"
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        + _attrs(
            viewBox=f"0 0 {WIDTH} {height}",
            aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        )
        + ">",
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        "<defs>",
    ]
    fills = ("#e4dbf7", "#d6ebfa", "#1b6e3a")
    for n in range(len(series)):
        parts.append(
            f'<pattern id="{escape(chart_id)}-p{n}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" class="chart-fill-{n}" fill="{fills[n]}"/>'
            f"{PATTERNS[n].format(n=n)}</pattern>"
        )
    parts.append("</defs>")

    # The legend: swatch and words, in the order of the segments and of the numbers.
    x = 0
    for n, name in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="6" width="16" height="16" fill="url(#{escape(chart_id)}-p{n})" '
            f'class="chart-segment"/>'
            f'<text x="{x + 22}" y="19" class="chart-text">{escape(name)}</text>'
        )
        x += 22 + 9 * len(name) + 24

    for i, row in enumerate(rows):
        y = LEGEND_HEIGHT + ROW_HEIGHT * i
        text_y = y + BAR_HEIGHT - 4
        parts.append(f'<g class="chart-row"><title>{escape(described[i])}</title>')
        label = escape(_short(row.label))
        parts.append(f'<text x="0" y="{text_y}" class="chart-text">{label}</text>')
        x = float(LABEL_WIDTH)
        for n, value in enumerate(row.values):
            width = round(BAR_WIDTH * value / longest, 2)
            if width:
                parts.append(
                    f'<rect x="{x:g}" y="{y}" width="{width:g}" height="{BAR_HEIGHT}" '
                    f'fill="url(#{escape(chart_id)}-p{n})" class="chart-segment"/>'
                )
            x += width
        numbers = " / ".join(str(value) for value in row.values)
        parts.append(
            f'<text x="{WIDTH}" y="{text_y}" text-anchor="end" class="chart-text">'
            f"{escape(numbers)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped
