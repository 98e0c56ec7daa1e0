"""The load generator: `python -m bench.load SPEC` hammers one URL from N threads in a
process of its own (http.client, keep-alive where the server allows it) and prints JSON."""

import datetime
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from bench import BASE_DIR


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
            [sys.executable, "-m", "bench.load", json.dumps(spec)],
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


if __name__ == "__main__":
    print(json.dumps(load(json.loads(sys.argv[1]))))
