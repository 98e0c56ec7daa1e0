"""`manage.py bench_search`: time search on 300,000 touchpoints over 10,000 KOLs.

In a database of its own (created, migrated, and dropped at the end unless --keep): 50 MSLs
own 200 KOLs each (a user sees ~1/50 of the KOLs), a manager per 10 MSLs (~1/5), 30
touchpoints per KOL written from a small vocabulary so every query hits thousands of rows.
Then each query is run 5 times as the MSL and as the manager: the median in ms, and which
index the main query's plan starts from (EXPLAIN). `--keep` then `--reuse` measures again
without seeding. PostgreSQL only: SQLite searches with LIKE.
"""

import datetime
import random
import statistics
import time
import uuid

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Membership, Team, User
from common.bulk import insert
from contacts.models import Goal, Interest, Kol, Provenance, TherapeuticArea, Topic
from contacts.selectors import kols_for_user
from engagements.models import Touchpoint
from search import postgresql, selectors

DEFAULT_DATABASE = "kolcrm_bench_search"
KOLS = 10_000
TOUCHPOINTS_PER_KOL = 30
MSLS = 50
MSLS_PER_TEAM = 10
RUNS = 5
QUERIES = [
    "unmet need heart failure",
    "hyperkalaemia",
    "referral bottleneck",
    '"primary care" -diabetes',
    "guideline SGLT2 uptake",
]

# Short sentences from a small vocabulary: each query word is in a few percent of the rows.
THEY_SAID = [
    "There is a real unmet need in heart failure with preserved ejection fraction.",
    "Hyperkalaemia stops us from titrating RAAS inhibitors to target.",
    "Referral from primary care is the bottleneck for our clinic.",
    "Patients wait months for an echo; the referral pathway is slow.",
    "Guideline uptake of SGLT2 inhibitors is still low in the community.",
    "Diabetes teams and cardiology rarely talk to each other.",
    "Our nurses need better education material for patients.",
    "Potassium monitoring is a burden for primary care.",
    "The registry data would help us argue for more staff.",
    "Readmissions after discharge are the thing the board watches.",
    "Renal function worries keep GPs from starting therapy.",
    "I would like to see real-world evidence from our region.",
    "Telemonitoring worked well during the pilot.",
    "Costs of the new therapies are the main barrier for the payer.",
    "Chronic kidney disease patients are underrepresented in trials.",
    "Fellows ask for more teaching on imaging.",
]
FEEDBACK = [
    "",
    "",
    "The last literature summary was too long.",
    "Your slide deck on hyperkalaemia was useful.",
    "The congress overview arrived late.",
    "Would like the referral toolkit in print.",
]
SUMMARY = [
    "Discussed the registry and next steps.",
    "Congress conversation about heart failure services.",
    "Practice visit, met the nursing team.",
    "Advisory board preparation call.",
    "Shared the guideline update.",
]
GOALS = [
    ("Reduce unmet need in heart failure care in the region", "Visibility for the clinic"),
    ("Publish the registry results", "Co-authorship"),
    ("Build a referral network with primary care", "Faster referrals"),
    ("Speak at the national congress", ""),
]


def seed(*, kols: int = KOLS, per_kol: int = TOUCHPOINTS_PER_KOL) -> tuple[User, User]:
    """Returns (an MSL who sees ~1/50 of the KOLs, a manager who sees ~1/5)."""
    rng = random.Random(42)
    now = timezone.now()
    msls = [
        User(email=f"msl{n}@bench.invalid", display_name=f"MSL {n}", password="!")
        for n in range(MSLS)
    ]
    managers = [
        User(email=f"manager{n}@bench.invalid", display_name=f"Manager {n}", password="!")
        for n in range(MSLS // MSLS_PER_TEAM)
    ]
    User.objects.bulk_create(msls + managers)
    msl_ids = list(
        User.objects.filter(email__startswith="msl").order_by("pk").values_list("pk", flat=True)
    )
    manager_ids = list(
        User.objects.filter(email__startswith="manager").order_by("pk").values_list("pk", flat=True)
    )
    teams = Team.objects.bulk_create([Team(name=f"Bench {n}") for n in range(len(manager_ids))])
    Membership.objects.bulk_create(
        [
            Membership(team=team, user_id=manager_id, role=Membership.Role.MANAGER)
            for team, manager_id in zip(teams, manager_ids, strict=True)
        ]
        + [Membership(team=teams[n // MSLS_PER_TEAM], user_id=pk) for n, pk in enumerate(msl_ids)]
    )
    area = TherapeuticArea.objects.create(name="Cardio-renal")
    topics = [
        Topic.objects.create(area=area, name=name)
        for name in ("Heart failure", "Hyperkalaemia", "Chronic kidney disease", "Diabetes")
    ]
    insert(
        Kol,
        (
            Kol(
                name=f"Dr Bench {n:05d}",
                institution=f"Hospital {n % 97}",
                specialty=("Cardiology", "Nephrology", "Primary care")[n % 3],
                owner_id=msl_ids[n % MSLS],
                is_archived=n % 50 == 49,
                created_at=now,
            )
            for n in range(kols)
        ),
    )
    kol_rows = list(Kol.objects.order_by("pk").values_list("pk", "owner_id"))
    insert(
        Goal,
        (
            Goal(
                kol_id=kol_id,
                whose=Goal.Whose.KOL if n % 2 else Goal.Whose.OURS,
                area=Goal.Area.MEDICAL,
                text=GOALS[n % len(GOALS)][0],
                in_it_for_kol=GOALS[n % len(GOALS)][1],
                provenance=Provenance.STATED,
                created_by_id=owner_id,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
        ),
    )
    insert(
        Interest,
        (
            Interest(
                kol_id=kol_id,
                kind=Interest.Kind.RESEARCH,
                topic=topics[n % len(topics)],
                note="Wants the latest trial data" if n % 2 else "",
                provenance=Provenance.STATED,
                created_by_id=owner_id,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
        ),
    )
    kinds = [k for k, _ in Touchpoint.Kind.choices]
    insert(
        Touchpoint,
        (
            Touchpoint(
                kol_id=kol_id,
                by_id=owner_id,
                occurred_at=now - datetime.timedelta(days=rng.randrange(1, 900)),
                kind=kinds[rng.randrange(len(kinds))],
                summary=rng.choice(SUMMARY),
                they_said=" ".join(rng.sample(THEY_SAID, 2)),
                feedback=rng.choice(FEEDBACK),
                form_token=uuid.uuid4(),
                created_at=now,
            )
            for kol_id, owner_id in kol_rows
            for _ in range(per_kol)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return User.objects.get(pk=msl_ids[0]), User.objects.get(pk=manager_ids[0])


def explain(user: User, text: str) -> tuple[str, str]:
    """Which index the page's main query (the ranked touchpoints) starts from, and its plan:
    "kol_id" (the user's touchpoints, each vector checked) or "GIN" (every match in the
    organisation, then visibility)."""
    query = postgresql.SearchQuery(text, search_type="websearch", config=postgresql.CONFIG)
    visible = kols_for_user(user, archived=None).values("pk")
    plan = postgresql.ranked_touchpoints(query, visible).explain(analyze=True)
    if "engagements_touchpoint_kol_id" in plan:
        return "kol_id", plan
    return ("GIN" if "search_touchpoint_document" in plan else "none"), plan


def time_query(user: User, text: str) -> float:
    """Median ms of RUNS full searches (every query of the page, rows fetched)."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        selectors.search(user, text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Time search on 300,000 touchpoints in a database of its own (PostgreSQL only)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--database-name", default=DEFAULT_DATABASE)
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument("--kols", type=int, default=KOLS)
        parser.add_argument("--per-kol", type=int, default=TOUCHPOINTS_PER_KOL)
        parser.add_argument("--explain", action="store_true", help="print the query plans")
        parser.add_argument(
            "--reuse", action="store_true", help="measure a database kept by --keep, no seeding"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_search measures PostgreSQL full-text search: run it with "
                "DATABASE_URL=postgres://USER@HOST:5432/DB."
            )
        name = options["database_name"]
        if "bench" not in name or name == settings.DATABASES["default"]["NAME"]:
            raise CommandError(
                f"--database-name {name!r}: it is dropped afterwards, so it must contain "
                "'bench' and differ from the configured database."
            )
        if options["kols"] < MSLS or options["per_kol"] < 1:
            raise CommandError(f"--kols must be at least {MSLS} and --per-kol at least 1.")
        if not options["reuse"]:
            self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
            self._admin_execute("CREATE DATABASE {}", name)
        original = self._switch_to(name)
        try:
            self.stdout.write(f"Migrating {name} ...")
            call_command("migrate", verbosity=0, interactive=False)
            started = time.perf_counter()
            if options["reuse"]:
                msl = User.objects.get(email="msl0@bench.invalid")
                manager = User.objects.get(email="manager0@bench.invalid")
            else:
                msl, manager = seed(kols=options["kols"], per_kol=options["per_kol"])
            how = "Reused" if options["reuse"] else "Seeded"
            took = "" if options["reuse"] else f" in {time.perf_counter() - started:.1f} s"
            self.stdout.write(
                f"{how} {Touchpoint.objects.count():,} touchpoints over "
                f"{Kol.objects.count():,} KOLs{took}"
            )
            self.stdout.write(
                f"{'query':<28} {'who':<8} {'sees':>6} {'matches':>8} {'ms':>7}  index"
            )
            for text in QUERIES:
                for label, user in (("msl", msl), ("manager", manager)):
                    results = selectors.search(user, text)
                    sees = kols_for_user(user, archived=None).count()
                    ms = time_query(user, text)
                    index, plan = explain(user, text)
                    self.stdout.write(
                        f"{text:<28} {label:<8} {sees:>6} {results.touchpoint_count:>8} "
                        f"{ms:>7.1f}  {index}"
                    )
                    if options["explain"]:
                        self.stdout.write(plan)
        finally:
            self._switch_to(original)
            if options["keep"] or options["reuse"]:
                self.stdout.write(f"Kept the database {name}.")
            else:
                self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _switch_to(self, name: str) -> str:
        """Point the default connection at another database (before its next query)."""
        connections["default"].close()
        original = settings.DATABASES["default"]["NAME"]
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        return original

    def _admin_execute(self, statement: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        db = settings.DATABASES["default"]
        with psycopg.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            autocommit=True,
        ) as admin:
            admin.execute(sql.SQL(statement).format(sql.Identifier(name)))
