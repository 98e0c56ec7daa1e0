"""`make bench`: seed a PostgreSQL database at scale, serve it with gunicorn, measure pages.

    python -m bench.run [--kols 10000] [--seconds 10] [--concurrency 1,8] [--keep]

See bench/README.md. The load generator (bench.load) runs in a process of its own; the
in-process work (seeding, counting queries, the reminder dispatcher) is bench.inprocess.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench import BASE_DIR, RESULTS_DIR
from bench.database import create_database, database_url_for, drop_database, use_in_process_settings
from bench.load import run_load
from bench.measures import (
    TARGET_ADMIN_RATIO,
    TARGET_P95_MS,
    Page,
    add_ratios,
    format_table,
    summarise,
    write_json,
)
from bench.server import Server, server_env

DEFAULT_DATABASE = "kolcrm_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def manage(*command) -> None:
    """A manage.py command in a process of its own, with this process's environment."""
    subprocess.run([sys.executable, "manage.py", *map(str, command)], cwd=BASE_DIR, check=True)


def bench_reminders(name: str, sizes: str) -> list[dict]:
    """The dispatcher's due scan at each size, twice (the second finds nothing new), in a
    database of its own (`manage.py bench_reminders`, on the bench's database server)."""
    if not [size for size in sizes.split(",") if size.strip()]:
        return []
    output = Path(tempfile.mkdtemp(prefix="kolcrm-bench-")) / "reminders.json"
    print()
    print("Reminder dispatch (the due scan), seconds and queries:", flush=True)
    database = f"{name}_reminders"
    manage("bench_reminders", "--sizes", sizes, "--database-name", database, "--json", output)
    return json.loads(output.read_text())


# The driver ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--kols", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page and concurrency")
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-name", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--server-url",
        default=os.environ.get("BENCH_DATABASE_SERVER", DEFAULT_SERVER),
        help="a PostgreSQL URL on the server to create the database on",
    )
    parser.add_argument("--pages", default="", help="only pages whose name contains these")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by an earlier --keep run again, without seeding (kept)",
    )
    parser.add_argument("--output", type=Path, help="the JSON file (default bench/results/)")
    parser.add_argument(
        "--reminder-sizes",
        default="1000,10000,100000",
        help='KOL counts for the dispatcher due scan ("" to skip), in a database of its own',
    )
    args = parser.parse_args(argv)

    name = args.database_name
    if "bench" not in name:
        parser.error("--database-name must contain 'bench': it is dropped afterwards")
    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    started_at = datetime.datetime.now(datetime.UTC)
    seed_file = RESULTS_DIR / f"{name}.seed.json"
    if args.reuse:
        if not seed_file.exists():
            parser.error(f"--reuse needs {seed_file}: run once with --keep first")
        args.keep = True
        database_url = database_url_for(args.server_url, name)
    else:
        database_url = create_database(args.server_url, name)
    server = None
    try:
        # The in-process work (migrating, seeding, counting queries) runs in a process of its
        # own with these settings (its own database): this one never sets Django up.
        use_in_process_settings(database_url)
        prepared_file = Path(tempfile.mkdtemp(prefix="kolcrm-bench-")) / "prepared.json"
        prepare = ["--kols", str(args.kols), "--pages", args.pages, "--output", prepared_file]
        if args.reuse:
            saved = seed_file.read_text()
            print(f"Reusing {name}, seeded earlier: {saved.strip()}", flush=True)
            prepare += ["--seeded", saved]
        else:
            print(f"Migrating and seeding {name} ...", flush=True)
        manage("bench_prepare", *prepare)
        prepared = json.loads(prepared_file.read_text())
        seeded, pages, queries = prepared["seed"], prepared["pages"], prepared["queries"]
        pages = [Page(**page) for page in pages]
        if args.keep and not args.reuse:
            write_json(seed_file, seeded)
        emails = {
            "msl": seeded["msl_email"],
            "manager": seeded["manager_email"],
            "admin": seeded["admin_email"],
        }

        static_root = tempfile.mkdtemp(prefix="kolcrm-bench-static-")
        env = server_env(database_url, static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        server = Server(env, args.workers)
        server.wait()
        sessions = {role: server.login(email, seeded["password"]) for role, email in emails.items()}

        measures = []
        for page in pages:
            cookies = sessions[page.role]
            headers = {
                "X-Forwarded-Proto": "https",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Referer": f"{server.base}{page.path}",
            }
            if page.method == "POST":
                headers.update({"HX-Request": "true", "X-CSRFToken": cookies["csrftoken"]})
            for concurrency in concurrencies:
                spec = {
                    "host": "127.0.0.1",
                    "port": server.port,
                    "path": page.path,
                    "method": page.method,
                    "headers": headers,
                    "csrf": cookies.get("csrftoken", ""),
                    "seconds": args.seconds,
                    "concurrency": concurrency,
                }
                measure = summarise(page.name, concurrency, run_load(spec))
                measure.queries = queries[page.name]["queries"]
                measure.target = page.target
                measures.append(measure)
                print(
                    f"  {page.name:<22} c={concurrency}: {measure.rps:.1f} req/s, "
                    f"p95 {measure.p95_ms:.1f} ms, statuses {measure.statuses}",
                    flush=True,
                )
        memory = server.worker_memory_kb()
        add_ratios(measures)
        print()
        print(format_table(measures))
        print()
        print(
            "Peak memory per worker (VmHWM): "
            + ", ".join(f"{kb / 1024:.0f} MB" for kb in memory.values())
        )
        reminders = bench_reminders(name, args.reminder_sizes)
        payload = {
            "reminders": reminders,
            "started_at": started_at.isoformat(),
            "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "args": {k: str(v) for k, v in vars(args).items()},
            "seed": seeded,
            "pages": [asdict(p) for p in pages],
            "queries": queries,
            "results": [asdict(m) for m in measures],
            "worker_peak_memory_kb": memory,
            "targets": {"p95_ms": TARGET_P95_MS, "admin_ratio": TARGET_ADMIN_RATIO},
        }
        output = args.output or RESULTS_DIR / f"{started_at:%Y%m%dT%H%M%SZ}.json"
        print(f"Wrote {write_json(output, payload)}")
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"Kept the database {name} ({database_url}).")
        else:
            drop_database(args.server_url, name)
            print(f"Dropped the database {name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
