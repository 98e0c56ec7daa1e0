"""`manage.py bench_reminders`: time the reminder dispatcher on many KOLs.

In a database of its own (created, migrated, and dropped at the end unless --keep), for each
size: seed N KOLs for 50 MSLs (about 20% with their check-in due, two follow-ups each, some
due), then time `dispatch_due_reminders()` twice, counting queries. The second run should
create nothing. Publishing goes to Celery's in-memory broker: no Redis, no worker.

PostgreSQL only (the production database), unless --allow-sqlite.

The core (seeding, timing: `bench.dispatch.bench_size()`) runs on the current connection:
the tests run it on the test database.
"""

import json
import tempfile
from dataclasses import asdict
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from psycopg import sql

from bench.dispatch import DEFAULT_SIZES, HEADER, MSLS, bench_size, format_run, time_sends

DEFAULT_DATABASE = "kolcrm_bench_reminders"


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--sizes must be whole numbers separated by commas, not {value!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise CommandError("--sizes must be positive numbers, e.g. 1000,10000,100000")
    return sizes


class Command(BaseCommand):
    help = "Time the reminder dispatcher on N KOLs, in a database of its own (PostgreSQL)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default=DEFAULT_SIZES, help=f"KOL counts (default {DEFAULT_SIZES})"
        )
        parser.add_argument("--msls", type=int, default=MSLS, help=f"default {MSLS}")
        parser.add_argument(
            "--database-name",
            default=DEFAULT_DATABASE,
            help=f"the database to create and drop (default {DEFAULT_DATABASE})",
        )
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument(
            "--sends",
            type=int,
            default=0,
            help="after the first size, send this many reminders to a local SMTP sink",
        )
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="run on SQLite (a temporary file)"
        )
        parser.add_argument("--json", type=Path, help="also write the results to this JSON file")

    def handle(self, *args, **options):
        sizes = _sizes(options["sizes"])
        if options["msls"] < 1:
            raise CommandError("--msls must be at least 1")
        vendor = connection.vendor
        if vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "bench_reminders measures PostgreSQL, the production database: run it with "
                "DATABASE_URL=postgres://USER@HOST:5432/DB (or pass --allow-sqlite)."
            )
        name = options["database_name"]
        if vendor == "postgresql":
            if "bench" not in name or name == settings.DATABASES["default"]["NAME"]:
                raise CommandError(
                    f"--database-name {name!r}: it is dropped afterwards, so it must contain "
                    "'bench' and differ from the configured database."
                )
            name = self._create_postgresql(name)
        else:
            name = str(Path(tempfile.mkdtemp(prefix="kolcrm-bench-")) / "bench.sqlite3")
        original = self._switch_to(name)
        try:
            self.stdout.write(f"Migrating {name} ...")
            call_command("migrate", verbosity=0, interactive=False)
            self.stdout.write(HEADER)
            results = []
            for kols in sizes:
                call_command("flush", verbosity=0, interactive=False)
                result = bench_size(kols, msls=options["msls"])
                self.stdout.write(format_run(kols, "first", result.first))
                self.stdout.write(format_run(kols, "second", result.second))
                self.stdout.write(f"{'':>8}  (seeded in {result.seed_seconds:.1f} s)")
                results.append(asdict(result))
                if options["sends"] and kols == sizes[0]:
                    sent, seconds = time_sends(options["sends"])
                    self.stdout.write(
                        f"{'':>8}  sent {sent} emails to a local SMTP sink in {seconds:.1f} s: "
                        f"{sent / seconds:.1f} a second (digests built from Today's lists)"
                    )
            if options["json"]:
                options["json"].write_text(json.dumps(results))
        finally:
            self._switch_to(original)
            if options["keep"]:
                self.stdout.write(f"Kept the database {name}.")
            elif vendor == "postgresql":
                self._drop_postgresql(name)
            else:
                Path(name).unlink(missing_ok=True)

    def _switch_to(self, name: str) -> str:
        """Point the default connection at another database (before its next query)."""
        connections["default"].close()
        original = settings.DATABASES["default"]["NAME"]
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        return original

    def _admin(self):
        db = settings.DATABASES["default"]
        return psycopg.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            autocommit=True,
        )

    def _create_postgresql(self, name: str) -> str:
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def _drop_postgresql(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        self.stdout.write(f"Dropped the database {name}.")
