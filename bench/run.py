"""`make bench`: seed a PostgreSQL database at scale, serve it with gunicorn, measure pages.

    python -m bench.run [--kols 10000] [--seconds 10] [--concurrency 1,8] [--keep]

See bench/README.md. The load generator is this module run with --load in a process of its
own (http.client, keep-alive where the server allows it, N threads).
"""

import argparse
import datetime
import gc
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "kolcrm_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = {1: 60.0, 8: 250.0}
TARGET_ADMIN_RATIO = 1.5
CEILING = "ceiling"
ADMIN = "admin KOLs"


# Pure helpers (unit-tested) ----------------------------------------------------------


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


# The load generator (its own process) ------------------------------------------------


def touchpoint_body(csrf: str) -> str:
    now = datetime.datetime.now()
    return urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf,
            "form_token": str(uuid.uuid4()),
            "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
            "kind": "phone",
            "where": "Phone",
            "summary": "Bench call about the registry.",
            "they_said": "Referral from primary care is still the bottleneck.",
        }
    )


def load(spec: dict) -> dict:
    """Hammer one URL from `concurrency` threads for `seconds`; latencies of 2xx answers."""
    latencies: list[list[float]] = [[] for _ in range(spec["concurrency"])]
    errors = [0] * spec["concurrency"]
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(spec["concurrency"] + 1)

    def one(conn: http.client.HTTPConnection) -> int:
        headers = dict(spec["headers"])
        body = None
        if spec["method"] == "POST":
            body = touchpoint_body(spec["csrf"])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(spec["method"], spec["path"], body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=60)
        for _ in range(spec.get("warmup", 2)):
            try:
                one(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
        start.wait()
        deadline = time.perf_counter() + spec["seconds"]
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status = one(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                errors[n] += 1
                continue
            elapsed = time.perf_counter() - began
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if 200 <= status < 300:
                latencies[n].append(elapsed)
            else:
                errors[n] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(spec["concurrency"])]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {
        "latencies": [x for part in latencies for x in part],
        "errors": sum(errors),
        "statuses": statuses,
        "seconds": time.perf_counter() - began,
    }


def run_load(spec: dict) -> dict:
    """Run the load generator in a separate process and read its JSON answer. A page too
    slow to answer its warm-ups and window within 5 minutes (the touchpoint admin at 100,000
    KOLs, c8) is recorded as timed out, not the end of the run."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bench.run", "--load", json.dumps(spec)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=spec["seconds"] + spec.get("grace", 300),
        )
    except subprocess.TimeoutExpired:
        return {
            "latencies": [],
            "errors": spec["concurrency"],
            "statuses": {"timeout": spec["concurrency"]},
            "seconds": spec["seconds"],
        }
    return json.loads(result.stdout)


# The server ----------------------------------------------------------------------------


def wsgi_app():
    """gunicorn's app factory: the WSGI app with the ceiling mounted (bench.urls)."""
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kolcrm.settings")
    django.setup()
    settings.ROOT_URLCONF = "bench.urls"
    application = get_wsgi_application()
    gc.freeze()  # as kolcrm/wsgi.py does
    return application


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="kolcrm.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
        EMAIL_HOST="127.0.0.1",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="memory://",
        SECURE_SSL_REDIRECT="true",
        STATIC_ROOT=static_root,
        KOLCRM_BENCH="1",
        LOG_LEVEL="WARNING",
    )
    env.pop("DEBUG", None)
    return env


class Server:
    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "bench.run:wsgi_app()",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        self.base = f"https://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited early")
            try:
                status, _, _ = self.request("GET", "/health/live/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /health/live/")

    def request(self, method, path, *, body=None, headers=None, cookies=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar = SimpleCookie()
        for header in response.msg.get_all("Set-Cookie") or []:
            jar.load(header)
        conn.close()
        return response.status, text, {k: v.value for k, v in jar.items()}

    def login(self, email: str, password: str) -> dict:
        """Sign in through the login form; returns the cookies (sessionid, csrftoken)."""
        status, text, cookies = self.request("GET", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if status != 200 or not match:
            raise RuntimeError(f"login page: {status}")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match[1], "username": email, "password": password}
        )
        status, _, new = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{self.base}/accounts/login/",
            },
            cookies=cookies,
        )
        cookies.update(new)
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"login as {email} failed: {status}")
        return cookies

    def worker_memory_kb(self) -> dict[int, int]:
        """Peak resident memory (VmHWM, kB) of each gunicorn worker."""
        peaks = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid) and "VmHWM" in fields:
                peaks[int(entry.name)] = int(fields["VmHWM"].split()[0])
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# The database --------------------------------------------------------------------------


def _admin_connection(server_url: str):
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(server_url)
    return psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    )


def create_database(server_url: str, name: str) -> str:
    from psycopg import sql

    with _admin_connection(server_url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url_for(server_url, name)


def use_in_process_settings(database_url: str) -> None:
    """Settings for the bench's in-process work (seeding, counting queries, bench.profile):
    DEBUG off, as in production, without the HTTPS-only settings the test Client would
    trip over. Call before django.setup()."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kolcrm.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="memory://",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        KOLCRM_BENCH="1",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DJANGO_ENV", None)


def database_url_for(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(server_url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


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


def count_queries(pages: list[Page], emails: dict[str, str]) -> dict[str, dict]:
    """SQL queries per request, in-process through the test Client (second request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    clients = {}
    for role, email in emails.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        clients[role] = client
    counts = {}
    for page in pages:
        client = clients[page.role]
        for _ in range(2):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                if page.method == "POST":
                    body = dict(urllib.parse.parse_qsl(touchpoint_body("")))
                    response = client.post(page.path, body, HTTP_HX_REQUEST="true")
                else:
                    response = client.get(page.path)
            wall = time.perf_counter() - began
        counts[page.name] = {
            "queries": len(captured.captured_queries),
            "status": response.status_code,
            "wall_ms": round(wall * 1000, 1),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "slowest_sql": max(
                captured.captured_queries, key=lambda q: float(q["time"]), default={}
            ).get("sql", ""),
        }
    return counts


# The reminder dispatcher -------------------------------------------------------------


def bench_reminders(server_url: str, name: str, sizes: str) -> list[dict]:
    """The due scan (dispatch_due_reminders) at each size, twice (the second finds nothing
    new), in a database of its own: engagements' bench_reminders, in this process."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from reminders.management.commands.bench_reminders import HEADER, bench_size, format_run

    wanted = [int(size) for size in sizes.split(",") if size.strip()]
    if not wanted:
        return []
    database = f"{name}_reminders"
    create_database(server_url, database)
    connections.close_all()
    original = settings.DATABASES["default"]["NAME"]
    settings.DATABASES["default"]["NAME"] = database
    results = []
    try:
        call_command("migrate", verbosity=0, interactive=False)
        print()
        print("Reminder dispatch (the due scan), seconds and queries:")
        print(HEADER)
        for kols in wanted:
            call_command("flush", verbosity=0, interactive=False)
            result = bench_size(kols)
            print(format_run(kols, "first", result.first))
            print(format_run(kols, "second", result.second), flush=True)
            results.append(asdict(result))
    finally:
        connections.close_all()
        settings.DATABASES["default"]["NAME"] = original
        drop_database(server_url, database)
    return results


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
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        print(json.dumps(load(json.loads(args.load))))
        return 0

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
        use_in_process_settings(database_url)
        import django
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        settings.ROOT_URLCONF = "bench.urls"
        from bench import seed as bench_seed

        if args.reuse:
            saved = json.loads(seed_file.read_text())
            seed_seconds = saved.pop("seconds")
            seeded = bench_seed.Seeded(**saved)
            print(f"Reusing {name}, seeded earlier: {seeded.as_dict()}", flush=True)
        else:
            print(f"Migrating {name} ...", flush=True)
            call_command("migrate", verbosity=0, interactive=False)
            print(f"Seeding {args.kols} KOLs ...", flush=True)
            began = time.perf_counter()
            seeded = bench_seed.seed(args.kols)
            seed_seconds = time.perf_counter() - began
            print(f"Seeded in {seed_seconds:.1f} s: {seeded.as_dict()}", flush=True)
            if args.keep:
                write_json(seed_file, {**seeded.as_dict(), "seconds": round(seed_seconds, 1)})

        pages = pages_for(seeded)
        if args.pages:
            wanted = [w.strip().lower() for w in args.pages.split(",")]
            pages = [
                p
                for p in pages
                if p.name in (CEILING, ADMIN) or any(w in p.name.lower() for w in wanted)
            ]
        emails = {
            "msl": seeded.msl_email,
            "manager": seeded.manager_email,
            "admin": seeded.admin_email,
        }
        queries = count_queries(pages, emails)
        connections.close_all()

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
        sessions = {role: server.login(email, seeded.password) for role, email in emails.items()}

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
        reminders = bench_reminders(args.server_url, name, args.reminder_sizes)
        payload = {
            "reminders": reminders,
            "started_at": started_at.isoformat(),
            "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "args": {k: str(v) for k, v in vars(args).items() if k != "load"},
            "seed": {**seeded.as_dict(), "seconds": round(seed_seconds, 1)},
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
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if args.keep:
            print(f"Kept the database {name} ({database_url}).")
        else:
            drop_database(args.server_url, name)
            print(f"Dropped the database {name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
