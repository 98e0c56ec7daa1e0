"""The benchmark's databases on a PostgreSQL server: created, dropped, and the settings of
the in-process work that uses them."""

import os
import secrets
import urllib.parse

import dj_database_url
import psycopg
from psycopg import sql


def _admin_connection(server_url: str):
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
    with _admin_connection(server_url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
