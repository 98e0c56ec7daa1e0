"""What a load run measured: percentiles, requests per second, ratios to the ceiling and the
admin, the targets each page misses, the table and the JSON file (pure, unit-tested); the
pages measured."""

import json
from dataclasses import dataclass, field
from pathlib import Path

TARGET_P95_MS = {1: 60.0, 8: 250.0}
TARGET_ADMIN_RATIO = 1.5
CEILING = "ceiling"
ADMIN = "admin KOLs"


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Measure:
    page: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict = field(default_factory=dict)
    queries: int | None = None
    ratio_ceiling: float | None = None
    ratio_admin: float | None = None
    target: bool = True  # an app page with targets (not the ceiling or the admin)
    misses: list = field(default_factory=list)


def summarise(page: str, concurrency: int, load: dict) -> Measure:
    latencies = load["latencies"]
    seconds = load["seconds"] or 1e-9
    return Measure(
        page=page,
        concurrency=concurrency,
        requests=len(latencies),
        errors=load["errors"],
        seconds=round(seconds, 3),
        rps=round(len(latencies) / seconds, 1),
        p50_ms=round(percentile(latencies, 50) * 1000, 1),
        p95_ms=round(percentile(latencies, 95) * 1000, 1),
        p99_ms=round(percentile(latencies, 99) * 1000, 1),
        statuses=load.get("statuses", {}),
    )


def add_ratios(measures: list[Measure]) -> None:
    """Ratio of requests/s to the ceiling's and the KOL admin's at the same concurrency,
    and the targets each app page misses."""
    by_key = {(m.page, m.concurrency): m for m in measures}
    for m in measures:
        ceiling = by_key.get((CEILING, m.concurrency))
        admin = by_key.get((ADMIN, m.concurrency))
        m.ratio_ceiling = round(m.rps / ceiling.rps, 3) if ceiling and ceiling.rps else None
        m.ratio_admin = round(m.rps / admin.rps, 2) if admin and admin.rps else None
        m.misses = []
        if not m.target:
            continue
        limit = TARGET_P95_MS.get(m.concurrency)
        if limit is not None and m.p95_ms >= limit:
            m.misses.append(f"p95>={limit:g}ms")
        if m.ratio_admin is not None and m.ratio_admin < TARGET_ADMIN_RATIO:
            m.misses.append(f"<{TARGET_ADMIN_RATIO}x admin")
        if m.errors:
            m.misses.append(f"{m.errors} errors")


def _ratio(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def format_table(measures: list[Measure]) -> str:
    header = (
        f"{'page':<22} {'c':>2} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'queries':>7} {'x ceil':>6} {'x admin':>7}  targets"
    )
    lines = [header, "-" * len(header)]
    for m in measures:
        target = ("MISS " + ", ".join(m.misses) if m.misses else "ok") if m.target else ""
        queries = "-" if m.queries is None else str(m.queries)
        lines.append(
            f"{m.page:<22} {m.concurrency:>2} {m.rps:>7.1f} {m.p50_ms:>7.1f} {m.p95_ms:>7.1f} "
            f"{m.p99_ms:>7.1f} {queries:>7} {_ratio(m.ratio_ceiling, '.0%'):>6} "
            f"{_ratio(m.ratio_admin, '.2f'):>7}  {target}"
        )
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


# Pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    role: str  # msl, manager or admin
    method: str = "GET"
    target: bool = True


def pages_for(seeded) -> list[Page]:
    return [
        Page(CEILING, "/bench/ceiling/", "msl", target=False),
        Page("KOL list", "/kols/", "msl"),
        Page("KOL search", "/kols/?q=university&stage=developing", "msl"),
        Page("KOL page (long)", f"/kols/{seeded.long_kol_id}/", "msl"),
        Page("Today", "/today/", "msl"),
        Page("prep brief", f"/kols/{seeded.long_kol_id}/prep/", "msl"),
        Page("team overview", "/team/", "manager"),
        Page("stage board", "/team/board/", "manager"),
        Page("log touchpoint POST", f"/kols/{seeded.post_kol_id}/touchpoints/", "msl", "POST"),
        Page(ADMIN, "/admin/contacts/kol/", "admin", target=False),
        Page("admin touchpoints", "/admin/engagements/touchpoint/", "admin", target=False),
    ]


def select_pages(pages: list[Page], wanted: str) -> list[Page]:
    """The pages whose name contains one of the comma-separated `wanted` words (all for
    none), always with the ceiling and the admin the others are compared with."""
    words = [w.strip().lower() for w in wanted.split(",") if w.strip()]
    if not words:
        return pages
    return [
        p for p in pages if p.name in (CEILING, ADMIN) or any(w in p.name.lower() for w in words)
    ]
