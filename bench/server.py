"""The benchmark's own server: gunicorn serving the app (with the ceiling view mounted) on
a free port, signing in through the login form, its workers' peak memory."""

import gc
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

from bench import BASE_DIR


def wsgi_app():
    """gunicorn's app factory: the WSGI app with the ceiling mounted (bench.urls)."""
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
                "bench.server:wsgi_app()",
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
