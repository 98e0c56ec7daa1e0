"""`make bench` end to end at a tiny scale, so that it cannot rot: seed, count queries, serve
with gunicorn in production settings, load every page at c1 and c8, the dispatcher section,
the JSON. Needs the PostgreSQL server the bench uses; run in the PostgreSQL pass of the suite
only (the SQLite pass has the same server, but once is enough)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import measures as bench_measures

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="make bench measures PostgreSQL (the PostgreSQL pass)"
)
def test_the_bench_runs_end_to_end_at_a_tiny_scale(tmp_path):
    output = tmp_path / "result.json"
    env = {**os.environ}
    for name in ("DATABASE_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--kols",
            "60",
            "--seconds",
            "0.25",
            "--reminder-sizes",
            "60,120",
            "--database-name",
            f"kolcrm_bench_smoke_{os.getpid()}",
            "--output",
            str(output),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(output.read_text())

    pages = {page["name"] for page in result["pages"]}
    assert {bench_measures.CEILING, bench_measures.ADMIN, "KOL page (long)", "stage board"} <= pages
    for measure in result["results"]:
        # Every page answered 2xx under load, at both concurrencies.
        assert measure["requests"] > 0 and measure["errors"] == 0, measure
        assert set(measure["statuses"]) == {"200"}, measure
    assert {m["concurrency"] for m in result["results"]} == {1, 8}
    assert all(counted["status"] == 200 for counted in result["queries"].values())
    assert [size["kols"] for size in result["reminders"]] == [60, 120]
    assert result["reminders"][1]["second"]["reminders_created"] == 0
    assert "Reminder dispatch" in completed.stdout and "x admin" in completed.stdout
