"""Point this process's Celery app at another broker for a while (the benchmarks publish to
the in-memory broker; the worker tests to their own)."""

import contextlib
import os

from kombu import pools

from kolcrm.celery import app as celery_app


def reset_celery_pools(app) -> None:
    """Forget cached broker connections: the next publish connects to conf.broker_url."""
    with contextlib.suppress(Exception):
        if app._pool is not None:
            app._pool.force_close_all()
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None
    pools.reset()  # kombu keeps its pools per broker URL, process-wide


@contextlib.contextmanager
def celery_publishing_to(broker_url: str, transport_options: dict | None = None):
    """Make this process's Celery app publish to `broker_url` until the block ends.

    Celery reads the CELERY_BROKER_URL environment variable before its conf, and caches
    its producer pool: both are replaced here and restored afterwards.
    """
    app = celery_app
    conf = app.conf
    saved = (conf.broker_url, conf.broker_transport_options)
    saved_env = os.environ.get("CELERY_BROKER_URL")
    reset_celery_pools(app)
    os.environ["CELERY_BROKER_URL"] = broker_url
    conf.broker_url = broker_url
    conf.broker_transport_options = transport_options or {}
    try:
        yield app
    finally:
        reset_celery_pools(app)
        conf.broker_url, conf.broker_transport_options = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
