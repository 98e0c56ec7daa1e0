import contextlib

import pytest

from tests.reminders.worker import (
    REDIS_TRANSPORT_OPTIONS,
    CeleryWorker,
    RedisServer,
    SmtpSink,
    publishing_to,
)


class ReminderRig:
    """Private Redis, SMTP sink and Celery workers for one test; `close` stops them in the
    safe order: workers (they talk to the others and the database), sink, Celery conf, Redis.
    """

    def __init__(self, database_name: str):
        self.database_name = database_name
        self.redis: RedisServer | None = None
        self.sink: SmtpSink | None = None
        self.workers: list[CeleryWorker] = []
        self._publishing = contextlib.ExitStack()

    def start_redis(self, port: int | None = None) -> RedisServer:
        assert self.redis is None or self.redis.process is None, "Redis is already running"
        self.redis = RedisServer(port or (self.redis.port if self.redis else None)).start()
        return self.redis

    def stop_redis(self) -> None:
        assert self.redis is not None
        self.redis.stop()

    def publish_to_redis(self):
        """Point this process's Celery app at the private Redis (restored in `close`)."""
        assert self.redis is not None
        return self._publishing.enter_context(
            publishing_to(self.redis.url, REDIS_TRANSPORT_OPTIONS)
        )

    def start_sink(self, block_on: int | None = None, delay: float = 0.0, greylist: int = 0):
        assert self.sink is None or self.sink.stopped
        port = self.sink.port if self.sink else None  # a restarted sink keeps its port
        self.sink = SmtpSink(block_on=block_on, delay=delay, greylist=greylist, port=port)
        self.sink.start()
        return self.sink

    def start_worker(self, **settings_env: str) -> CeleryWorker:
        """`settings_env`: settings for this worker, e.g. scaled-down time limits."""
        assert self.redis is not None and self.sink is not None
        worker = CeleryWorker(
            broker_url=self.redis.url,
            database_name=self.database_name,
            smtp_port=self.sink.port,
            extra_env=settings_env,
        )
        self.workers.append(worker)
        return worker.start()

    def close(self) -> None:
        with contextlib.ExitStack() as cleanup:  # each step runs even if one fails
            if self.redis is not None:
                cleanup.callback(self.redis.stop)
            cleanup.push(self._publishing)
            if self.sink is not None:
                cleanup.callback(self.sink.stop)
            for worker in self.workers:
                cleanup.callback(worker.stop)


@pytest.fixture
def reminder_rig(transactional_db):
    """Depends on transactional_db: the workers stop before the test database is flushed
    or dropped, and the database name read here is the test database's real name."""
    from django.db import connection

    rig = ReminderRig(database_name=connection.settings_dict["NAME"])
    yield rig
    rig.close()
