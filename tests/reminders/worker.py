"""Real services for the reminder integration tests: a private redis-server, an SMTP sink
(aiosmtpd, in this process) and a Celery worker subprocess.

Nothing here touches the shared Redis on 6379 or the shared PostgreSQL server: each test
gets its own redis-server on a free port and stops only that one.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller

from bench.publishing import celery_publishing_to

BASE_DIR = Path(__file__).resolve().parents[2]
POLL = 0.05  # seconds between polls: never a long bare sleep

# What settings.py gives a redis:// broker (the test process was configured with another
# broker, so its Celery conf holds that broker's options).
REDIS_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
    "visibility_timeout": 60 * 60,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll `condition` until it is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(POLL)


# Redis -------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server in the foreground (so we own its pid), no persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> "RedisServer":
        assert self.process is None, "already running"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        _terminate(self.process, timeout=5)
        self.process = None
        wait_until(lambda: not self.ping(), timeout=5, what="redis-server to stop")


# SMTP sink ---------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    subject: str


class SinkHandler:
    """Collects every message. With `block_on=N`, the Nth message is recorded (the server
    has it) and the reply is held until `release` is set: the client hangs mid-send."""

    def __init__(self, block_on: int | None = None, delay: float = 0.0, greylist: int = 0):
        self.delay = delay  # seconds a message takes to accept: a slow server
        self.greylist = greylist  # answer the first N messages "451 try again later"
        self.greylisted = 0
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.block_on = block_on
        self.blocked = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.greylisted < self.greylist:
                self.greylisted += 1
                return "451 4.7.1 Greylisted: please try again later"
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message["Subject"] or "")
            )
            number = len(self.messages)
        if self.delay:
            await asyncio.sleep(self.delay)
        if number == self.block_on:
            self.blocked.set()
            # Wait in a thread so the server's event loop stays free for other clients.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(rcpt for m in self.messages for rcpt in m.rcpt_tos)


class SmtpSink:
    def __init__(
        self,
        block_on: int | None = None,
        delay: float = 0.0,
        greylist: int = 0,
        port: int | None = None,
    ):
        self.handler = SinkHandler(block_on=block_on, delay=delay, greylist=greylist)
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    stopped = False

    def start(self) -> "SmtpSink":
        self.controller.start()
        self.stopped = False
        return self

    def stop(self) -> None:
        if self.stopped:
            return
        self.handler.release.set()
        self.controller.stop()
        self.stopped = True

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)


class FrozenServer:
    """A server that accepts connections and never answers (a frozen Redis)."""

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(connection)  # read nothing, answer nothing

    def start(self) -> "FrozenServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for connection in self.held:
            connection.close()
        self.sock.close()


# Celery worker -----------------------------------------------------------------------


def database_url_for(name: str) -> str:
    """The DATABASE_URL of this run with the database name replaced (the test database)."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + name))


class CeleryWorker:
    """`celery -A kolcrm worker` as a subprocess, its output collected by a thread."""

    _count = 0

    def __init__(
        self, *, broker_url: str, database_name: str, smtp_port: int, extra_env: dict | None = None
    ):
        CeleryWorker._count += 1
        self.name = f"test-{os.getpid()}-{CeleryWorker._count}@%h"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_BACKEND"}
            and not key.startswith(("CELERY_", "PYTEST_"))
        }
        env.update(
            DATABASE_URL=database_url_for(database_name),
            CELERY_BROKER_URL=broker_url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_BACKEND="smtp",
            DJANGO_SETTINGS_MODULE="kolcrm.settings",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        self.env = env
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None

    def start(self, *, timeout: float = 20) -> "CeleryWorker":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kolcrm",
                "worker",
                "--pool",
                "solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                "celery,dispatch",
                "-n",
                self.name,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for(" ready.", timeout=timeout)
        return self

    def _read(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line)

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def wait_for(self, text: str, *, timeout: float) -> None:
        def seen():
            if text in self.output:
                return True
            if self.process and self.process.poll() is not None:
                raise AssertionError(f"the worker exited early:\n{self.output}")
            return False

        try:
            wait_until(seen, timeout=timeout, what=f"{text!r} in the worker's output")
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- worker output ---\n{self.output}") from None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _terminate(self.process, timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)


def _terminate(process: subprocess.Popen, *, timeout: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# The test process's Celery app --------------------------------------------------------


def publishing_to(broker_url: str, transport_options: dict | None = None):
    """This process's Celery app publishes to `broker_url` inside the block (then restored).

    Setting conf.broker_url alone is not enough: Celery reads CELERY_BROKER_URL from the
    environment first (tests/conftest.py sets memory://) and caches its producer pool.
    """
    return celery_publishing_to(broker_url, transport_options)
