"""Profile one page in-process against the database a `make bench --keep` run kept.

    python -m bench.profile /kols/1/ [--role msl|manager|admin] [-n 40] [--cprofile 25]
    python -m bench.profile /kols/51/touchpoints/ --post   # and --sql, --pyinstrument, --dump

Production-like settings (DEBUG off, cached templates), Django's test Client signed in as
the bench's MSL, manager or superuser. Prints the median and minimum wall time of n
requests (after 3 warm-up requests), the SQL count and time of the last one, and, with
--cprofile K, the K functions with the most own time over all n requests: call counts
are repeatable where this machine's timings are not.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
import urllib.parse

from bench import RESULTS_DIR
from bench.database import database_url_for, use_in_process_settings
from bench.load import touchpoint_body
from bench.run import DEFAULT_SERVER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--role", default="msl", choices=["msl", "manager", "admin"])
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--post", action="store_true", help="log a touchpoint (htmx POST)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="K")
    parser.add_argument("--dump", metavar="FILE", help="with --cprofile: save the stats (pstats)")
    parser.add_argument("--database-name", default="kolcrm_bench")
    parser.add_argument("--sql", action="store_true", help="print each query and its time")
    parser.add_argument(
        "--pyinstrument", action="store_true", help="a call tree (pyinstrument, if installed)"
    )
    args = parser.parse_args()

    seeded = json.loads((RESULTS_DIR / f"{args.database_name}.seed.json").read_text())
    server = os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER)
    use_in_process_settings(database_url_for(server, args.database_name))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "bench.urls"
    client = Client()
    client.force_login(get_user_model().objects.get(email=seeded[f"{args.role}_email"]))

    def request():
        if args.post:
            body = dict(urllib.parse.parse_qsl(touchpoint_body("")))
            return client.post(args.path, body, HTTP_HX_REQUEST="true")
        return client.get(args.path)

    from django.db.models.query import QuerySet

    orm = {"depth": 0, "ms": 0.0}
    fetch_all = QuerySet._fetch_all

    def timed_fetch_all(self):  # time in the ORM and the database, outermost calls only
        orm["depth"] += 1
        began = time.perf_counter()
        try:
            fetch_all(self)
        finally:
            orm["depth"] -= 1
            if not orm["depth"]:
                orm["ms"] += (time.perf_counter() - began) * 1000

    QuerySet._fetch_all = timed_fetch_all
    for _ in range(3):
        response = request()
    orm["ms"] = 0.0
    assert response.status_code == 200, response.status_code
    profiler = cProfile.Profile() if args.cprofile else None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.enable, profiler.disable = profiler.start, profiler.stop
    walls = []
    for _ in range(args.n):
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        request()
        if profiler:
            profiler.disable()
        walls.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    print(
        f"{args.path}: median {statistics.median(walls):.1f} ms, min {min(walls):.1f} ms "
        f"over {args.n}; {len(captured.captured_queries)} queries, {sql_ms:.1f} ms SQL "
        f"(as the driver timed them); {len(response.content):,} bytes; "
        f"querysets evaluated: {orm['ms'] / (args.n + 1):.1f} ms a request"
    )
    if args.sql:
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:6.2f}  {query['sql'][:160]}")
    if args.pyinstrument:
        print(profiler.output_text(show_all=False, color=False, short_mode=False))
    elif profiler:
        stats = pstats.Stats(profiler)
        print(f"{stats.total_calls // args.n:,} function calls a request")
        stats.sort_stats("tottime").print_stats(args.cprofile)
        if args.dump:
            stats.dump_stats(args.dump)


if __name__ == "__main__":
    main()
