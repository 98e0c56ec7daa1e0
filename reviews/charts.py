"""Charts drawn on the server as accessible SVG: no JavaScript, no style attributes (CSP).

A chart is a visual summary; the page's table holds the same numbers. Each chart has
role="img" with a <title> and a <desc> that says every number in words, and its segments
differ by pattern as well as colour, with a text legend.
"""

import datetime
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


# The trend chart: a line per series over the weeks, and a strip of bars under it for the
# moves (forward up, back down). Lines differ by dash and marker shape as well as colour.
TREND_LEFT = 64
TREND_TOP = 12
TREND_PLOT = 200
TREND_STRIP = 70
TREND_AXIS = 22
LINE_DASHES = ("", "8 4", "2 4", "12 4 2 4")
MARKERS = (
    '<circle cx="{x}" cy="{y}" r="3.5" class="chart-mark-{n}"{a}/>',
    '<rect x="{x0}" y="{y0}" width="7" height="7" class="chart-mark-{n}"{a}/>',
    '<path d="M{x} {y0}L{x1} {y1}L{x0} {y1}Z" class="chart-mark-{n}"{a}/>',
    '<path d="M{x} {y0}L{x1} {y}L{x} {y1}L{x0} {y}Z" class="chart-mark-{n}"{a}/>',
)
LINE_COLOURS = ("#3d2470", "#0b6ea8", "#1b6e3a", "#8a5a00")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def _line_look(n: int) -> str:
    colour, dash = LINE_COLOURS[n % len(LINE_COLOURS)], LINE_DASHES[n % len(LINE_DASHES)]
    look = f'class="chart-line chart-line-{n % len(LINE_COLOURS)}" stroke="{colour}" '
    return look + 'stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "")


def _end_text(x: float, y: float, text: str) -> str:
    return f'<text x="{x:g}" y="{y:g}" text-anchor="end" class="chart-text">{escape(text)}</text>'


def _marker(n: int, x: float, y: float, tip: str) -> str:
    look = n % len(MARKERS)
    colour = LINE_COLOURS[n % len(LINE_COLOURS)]
    shape = MARKERS[look].format(
        x=f"{x:g}",
        y=f"{y:g}",
        x0=f"{x - 3.5:g}",
        y0=f"{y - 3.5:g}",
        x1=f"{x + 3.5:g}",
        y1=f"{y + 3.5:g}",
        n=look,
        a=f' fill="{colour}"',
    )
    return f"<g>{shape}<title>{escape(tip)}</title></g>"


def trend_chart(
    weeks: Sequence[datetime.date],
    series: Sequence[Series],
    *,
    up: Sequence[int],
    down: Sequence[int],
    title: str,
    desc: str,
    chart_id: str = "trend",
    up_label: str = "forward",
    down_label: str = "back",
) -> SafeString:
    """Weekly lines (touchpoints per MSL) over a strip of up/down bars (stage moves)."""
    slots = max(len(weeks), 1)
    step = (WIDTH + 80 - TREND_LEFT - 10) / slots
    legend_rows = (len(series) + 2 + 2) // 3
    top = TREND_TOP + legend_rows * 22 + 14
    height = top + TREND_PLOT + TREND_STRIP + TREND_AXIS + 8
    width = WIDTH + 80
    peak = max((max(s.values, default=0) for s in series), default=0) or 1
    moves_peak = max([*up, *down, 1])
    cid = escape(chart_id)

    def x_of(i: int) -> float:
        return round(TREND_LEFT + step * (i + 0.5), 2)

    def y_of(value: int) -> float:
        return round(top + TREND_PLOT - TREND_PLOT * value / peak, 2)

    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart trend-chart" role="img" '
        + _attrs(
            viewBox=f"0 0 {width} {height}", aria_labelledby=f"{chart_id}-title {chart_id}-desc"
        )
        + ">",
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<defs><pattern id="{cid}-back" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" class="chart-fill-1" fill="#d6ebfa"/>'
        f'<circle cx="3" cy="3" r="1.3" class="chart-ink-1" fill="#0b3f63"/></pattern></defs>',
    ]
    # The legend: a sample of each line (dash and marker) with its name, three to a row.
    entries = [(n, s.label) for n, s in enumerate(series)]
    for k, (n, label) in enumerate(entries):
        lx, ly = 10 + (k % 3) * 250, TREND_TOP + (k // 3) * 22
        parts.append(
            f'<line x1="{lx}" y1="{ly + 6}" x2="{lx + 28}" y2="{ly + 6}" {_line_look(n)}/>'
            + _marker(n, lx + 14, ly + 6, label)
            + f'<text x="{lx + 34}" y="{ly + 10}" class="chart-text">{escape(_short(label))}</text>'
        )
    k = len(entries)
    lx, ly = 10 + (k % 3) * 250, TREND_TOP + (k // 3) * 22
    parts.append(
        f'<rect x="{lx}" y="{ly}" width="12" height="12" class="chart-fill-2" fill="#1b6e3a"/>'
        f'<text x="{lx + 18}" y="{ly + 10}" class="chart-text">Stage moves {up_label} (up)</text>'
        f'<rect x="{lx + 200}" y="{ly}" width="12" height="12" fill="url(#{cid}-back)" '
        f'class="chart-segment"/>'
        f'<text x="{lx + 218}" y="{ly + 10}" class="chart-text">{down_label} (down)</text>'
    )

    # Axes: the touchpoint scale on the left (0 and the peak), the weeks along the bottom.
    base = top + TREND_PLOT
    parts.append(
        f'<line x1="{TREND_LEFT}" y1="{base}" x2="{width - 10}" y2="{base}" class="chart-axis" '
        f'stroke="#888" stroke-width="1"/>'
        + _end_text(TREND_LEFT - 6, top + 4, f"{peak} a week")
        + _end_text(TREND_LEFT - 6, base, "0")
    )
    for n, s in enumerate(series):
        points = " ".join(f"{x_of(i):g},{y_of(v):g}" for i, v in enumerate(s.values))
        parts.append(f'<polyline points="{points}" fill="none" {_line_look(n)}/>')
        for i, value in enumerate(s.values):
            tip = f"{s.label}, week of {weeks[i]:%-d %b}: {value} touchpoint" + "s" * (value != 1)
            parts.append(_marker(n, x_of(i), y_of(value), tip))

    # The moves strip: forward bars rise from its middle line, back bars hang below it.
    middle = base + TREND_STRIP / 2 + 4
    half = TREND_STRIP / 2 - 6
    bar = max(min(step * 0.6, 14), 2)
    parts.append(
        f'<line x1="{TREND_LEFT}" y1="{middle}" x2="{width - 10}" y2="{middle}" class="chart-axis" '
        f'stroke="#888" stroke-width="1"/>' + _end_text(TREND_LEFT - 6, middle + 4, "moves")
    )
    for i, (f, b) in enumerate(zip(up, down, strict=True)):
        if not (f or b):
            continue
        x = round(x_of(i) - bar / 2, 2)
        tip = f"Week of {weeks[i]:%-d %b}: {f} {up_label}, {b} {down_label}"
        parts.append(f"<g><title>{escape(tip)}</title>")
        if f:
            h = round(half * f / moves_peak, 2)
            parts.append(
                f'<rect x="{x:g}" y="{middle - h:g}" width="{bar:g}" height="{h:g}" '
                f'class="chart-fill-2" fill="#1b6e3a"/>'
            )
        if b:
            h = round(half * b / moves_peak, 2)
            parts.append(
                f'<rect x="{x:g}" y="{middle:g}" width="{bar:g}" height="{h:g}" '
                f'fill="url(#{cid}-back)" class="chart-segment"/>'
            )
        parts.append("</g>")

    # Week labels: about eight along the axis, whatever the period.
    every = max(1, -(-len(weeks) // 8))
    label_y = height - 6
    for i, week in enumerate(weeks):
        if i % every == 0:
            parts.append(
                f'<text x="{x_of(i):g}" y="{label_y}" text-anchor="middle" class="chart-text">'
                f"{week:%-d %b}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped
