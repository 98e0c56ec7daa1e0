"""`manage.py bench_prepare`: the in-process half of `make bench` (bench.run runs it in a
process of its own, with the settings of the bench's database): migrate and seed the
database (or take what an earlier run seeded), then count each page's SQL queries through
the test Client. Writes JSON: the seeded figures, the pages and their query counts."""

import json
import time
from dataclasses import asdict
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from bench import seed as bench_seed
from bench.inprocess import count_queries
from bench.measures import pages_for, select_pages


class Command(BaseCommand):
    help = "Seed the bench database (or reuse a seeding) and count each page's queries."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--kols", type=int, default=bench_seed.KOLS)
        parser.add_argument("--seeded", help="the JSON of an earlier seeding: seed nothing")
        parser.add_argument("--pages", default="", help="only pages whose name contains these")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, **options):
        if options["seeded"]:
            saved = json.loads(options["seeded"])
            seed_seconds = saved.pop("seconds")
            seeded = bench_seed.Seeded(**saved)
        else:
            self.stdout.write("Migrating ...")
            call_command("migrate", verbosity=0, interactive=False)
            self.stdout.write(f"Seeding {options['kols']} KOLs ...")
            began = time.perf_counter()
            seeded = bench_seed.seed(options["kols"])
            seed_seconds = time.perf_counter() - began
            self.stdout.write(f"Seeded in {seed_seconds:.1f} s: {seeded.as_dict()}")
        pages = select_pages(pages_for(seeded), options["pages"])
        emails = {
            "msl": seeded.msl_email,
            "manager": seeded.manager_email,
            "admin": seeded.admin_email,
        }
        with override_settings(ROOT_URLCONF="bench.urls"):  # the ceiling page too
            queries = count_queries(pages, emails)
        result = {
            "seed": {**seeded.as_dict(), "seconds": round(seed_seconds, 1)},
            "pages": [asdict(page) for page in pages],
            "queries": queries,
        }
        options["output"].write_text(json.dumps(result, default=str))
