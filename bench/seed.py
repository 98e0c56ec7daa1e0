"""Seed the benchmark's data at scale on the current connection.

COPY on PostgreSQL (psycopg's cursor.copy), bulk_create in batches elsewhere (the tests run
it on SQLite too). Defaults for 10,000 KOLs: 50 MSLs in 5 teams with a manager each, one
staff superuser, 300,000 touchpoints, 100,000 follow-ups, 50,000 gives and asks (half
each); the counts scale with --kols. One KOL has a long timeline (1 in 20 touchpoints, at
most 1,000): the KOL page is measured on it.
"""

import datetime
import uuid
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Team, User
from common.bulk import insert
from contacts.models import (
    AssumptionStatus,
    Goal,
    Interest,
    Kol,
    Provenance,
    Stage,
    StageChange,
    TherapeuticArea,
    Topic,
)
from engagements.models import Ask, FollowUp, Give, Touchpoint

PASSWORD = "bench-pass-2026"
KOLS = 10_000
TEAMS = 5
MSLS_PER_TEAM = 10
# Per 10,000 KOLs.
TOUCHPOINTS = 300_000
FOLLOW_UPS = 100_000
GIVES_AND_ASKS = 50_000
STAGES = [Stage.ESTABLISHING, Stage.DEVELOPING, Stage.MAINTAINING]
FIRST = ["Anna", "Ben", "Chloe", "David", "Eva", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
LAST = ["Schmidt", "Okafor", "Rossi", "Novak", "Larsen", "Haddad", "Moreau", "Kim", "Silva"]
CITIES = ["Berlin", "Leeds", "Lyon", "Porto", "Graz", "Aarhus", "Turin", "Utrecht", "Cork"]
INSTITUTIONS = ["University Hospital", "General Hospital", "Heart Centre", "Medical School"]
SPECIALTIES = ["Cardiology", "Nephrology", "Primary care", "Endocrinology"]
THEY_SAID = [
    "There is a real unmet need in heart failure with preserved ejection fraction.",
    "Hyperkalaemia stops us from titrating RAAS inhibitors to target.",
    "Referral from primary care is the bottleneck for our clinic.",
    "Guideline uptake of SGLT2 inhibitors is still low in the community.",
    "Our nurses need better education material for patients.",
    "I would like to see real-world evidence from our region.",
]
TOUCHPOINT_KINDS = [
    Touchpoint.Kind.MEETING,
    Touchpoint.Kind.PHONE,
    Touchpoint.Kind.EMAIL,
    Touchpoint.Kind.VIRTUAL,
    Touchpoint.Kind.CONGRESS,
]


@dataclass
class Seeded:
    kols: int
    touchpoints: int
    follow_ups: int
    gives: int
    asks: int
    msl_email: str  # owns the long-timeline KOL
    manager_email: str  # manages that MSL's team
    admin_email: str  # staff superuser
    long_kol_id: int
    long_kol_touchpoints: int
    post_kol_id: int  # another of the MSL's KOLs, for the touchpoint-logging POST
    password: str = PASSWORD

    def as_dict(self) -> dict:
        return asdict(self)


def scaled(per_10k: int, kols: int) -> int:
    """A count given per 10,000 KOLs, scaled to `kols` (at least 1 when kols > 0)."""
    return max(1, per_10k * kols // KOLS) if kols > 0 else 0


def seed(
    kols: int = KOLS,
    *,
    teams: int = TEAMS,
    msls_per_team: int = MSLS_PER_TEAM,
    touchpoints: int | None = None,
    follow_ups: int | None = None,
    gives_and_asks: int | None = None,
) -> Seeded:
    """Seed an empty database (emails are fixed: run it once per database)."""
    if kols < 2:
        raise ValueError("kols must be at least 2")
    touchpoints = scaled(TOUCHPOINTS, kols) if touchpoints is None else touchpoints
    follow_ups = scaled(FOLLOW_UPS, kols) if follow_ups is None else follow_ups
    gives_and_asks = scaled(GIVES_AND_ASKS, kols) if gives_and_asks is None else gives_and_asks
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(PASSWORD)  # hashed once: every bench user shares it

    msl_count = teams * msls_per_team
    User.objects.bulk_create(
        [User(email=f"msl{n}@bench.invalid", display_name=f"MSL {n}") for n in range(msl_count)]
        + [
            User(email=f"manager{n}@bench.invalid", display_name=f"Manager {n}")
            for n in range(teams)
        ]
        + [
            User(
                email="admin@bench.invalid",
                display_name="Bench admin",
                is_staff=True,
                is_superuser=True,
            )
        ]
    )
    User.objects.filter(email__endswith="@bench.invalid").update(password=password)
    msl_ids = list(
        User.objects.filter(email__startswith="msl", email__endswith="@bench.invalid")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    manager_ids = list(
        User.objects.filter(email__startswith="manager", email__endswith="@bench.invalid")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Team.objects.bulk_create([Team(name=f"Bench team {n}") for n in range(teams)])
    team_ids = list(
        Team.objects.filter(name__startswith="Bench team ")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Membership.objects.bulk_create(
        [
            Membership(team_id=team_id, user_id=manager_id, role=Membership.Role.MANAGER)
            for team_id, manager_id in zip(team_ids, manager_ids, strict=True)
        ]
        + [
            Membership(team_id=team_ids[n // msls_per_team], user_id=user_id)
            for n, user_id in enumerate(msl_ids)
        ]
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
                name=f"Dr {FIRST[n % len(FIRST)]} {LAST[(n // 10) % len(LAST)]} {n:06d}",
                credentials="MD",
                institution=f"{CITIES[n % len(CITIES)]} {INSTITUTIONS[n % len(INSTITUTIONS)]}",
                specialty=SPECIALTIES[n % len(SPECIALTIES)],
                city=CITIES[n % len(CITIES)],
                owner_id=msl_ids[n % msl_count],
                stage=STAGES[n % 3],
                is_archived=n % 50 == 49,
                last_interaction_at=now - datetime.timedelta(days=n % 90, hours=n % 24),
                next_check_in_on=today + datetime.timedelta(days=(n * 7919) % 150 - 30),
                created_at=now - datetime.timedelta(days=540),
            )
            for n in range(kols)
        ),
    )
    kol_rows = list(Kol.objects.order_by("pk").values_list("pk", "owner_id"))
    n_kols = len(kol_rows)
    insert(
        StageChange,
        (
            StageChange(
                kol_id=kol_id,
                to_stage=STAGES[n % 3],
                changed_by_id=owner_id,
                changed_at=now - datetime.timedelta(days=540),
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
        ),
    )
    insert(
        Interest,
        (
            Interest(
                kol_id=kol_id,
                kind=Interest.Kind.RESEARCH if j == 0 else Interest.Kind.SPEAKING,
                topic=topics[(n + j) % len(topics)],
                provenance=Provenance.STATED if j == 0 else Provenance.ASSUMED,
                assumption_status="" if j == 0 else AssumptionStatus.OPEN,
                give_cadence_days=30 if j == 0 and n % 4 == 0 else None,
                created_by_id=owner_id,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
            for j in range(1 if n % 3 else 2)
        ),
    )
    insert(
        Goal,
        (
            Goal(
                kol_id=kol_id,
                whose=Goal.Whose.KOL if n % 2 else Goal.Whose.OURS,
                area=Goal.Area.MEDICAL,
                text="Build a referral network with primary care",
                in_it_for_kol="Faster referrals",
                created_by_id=owner_id,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
            if n % 2 == 0
        ),
    )

    # KOL 0 gets the long timeline; the others share the rest.
    long_count = min(touchpoints // 20, 1000)

    def touchpoint_kol(i: int) -> tuple[int, int]:
        if i < long_count:
            return kol_rows[0]
        return kol_rows[1 + (i * 7919) % (n_kols - 1)]

    tp_count = insert(
        Touchpoint,
        (
            Touchpoint(
                kol_id=(row := touchpoint_kol(i))[0],
                by_id=row[1],
                occurred_at=now - datetime.timedelta(days=(i * 37) % 540, minutes=i % 600),
                kind=TOUCHPOINT_KINDS[i % len(TOUCHPOINT_KINDS)],
                where="Clinic" if i % 2 else "Congress",
                summary="Discussed the registry and next steps.",
                they_said=THEY_SAID[i % len(THEY_SAID)],
                form_token=uuid.uuid4(),
                created_at=now,
            )
            for i in range(touchpoints)
        ),
    )

    def follow_up_due(i: int) -> int:
        """Days from today: 18 months of history (done but 1 in 20, overdue), 60 ahead (open)."""
        return (i * 13) % 600 - 540

    fu_count = insert(
        FollowUp,
        (
            FollowUp(
                kol_id=(row := kol_rows[(i * 104729) % n_kols])[0],
                owner_id=row[1],
                due_on=today + datetime.timedelta(days=follow_up_due(i)),
                kind=FollowUp.Kind.PROMISED_RESOURCE if i % 2 else FollowUp.Kind.THANK_YOU,
                text="Send the registry protocol",
                status=FollowUp.Status.OPEN
                if follow_up_due(i) >= 0 or i % 20 == 0
                else FollowUp.Status.DONE,
                created_at=now,
            )
            for i in range(follow_ups)
        ),
    )
    gives = gives_and_asks // 2
    give_count = insert(
        Give,
        (
            Give(
                kol_id=(row := kol_rows[(i * 31) % n_kols])[0],
                by_id=row[1],
                kind=Give.Kind.LITERATURE if i % 3 else Give.Kind.CONGRESS_OVERVIEW,
                topic=topics[i % len(topics)],
                given_on=today - datetime.timedelta(days=(i * 11) % 540),
                note="Literature summary on the latest trial",
                created_at=now,
            )
            for i in range(gives)
        ),
    )
    ask_count = insert(
        Ask,
        (
            Ask(
                kol_id=(row := kol_rows[(i * 17) % n_kols])[0],
                by_id=row[1],
                kind=Ask.Kind.ADVISORY_BOARD if i % 2 else Ask.Kind.SPEAKING,
                in_it_for_kol="Visibility for their clinic",
                asked_on=today - datetime.timedelta(days=(i * 7) % 540),
                created_at=now,
            )
            for i in range(gives_and_asks - gives)
        ),
    )
    if connection.vendor == "postgresql":
        # Statistics, and the visibility map autovacuum keeps on a live database (so that
        # index-only scans work as they would there). VACUUM needs autocommit.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    long_kol_id, msl_id = kol_rows[0]
    # The next KOL of the same MSL (not archived), else the long one itself.
    post_kol_id = kol_rows[msl_count][0] if n_kols > msl_count else long_kol_id
    team_index = msl_ids.index(msl_id) // msls_per_team
    return Seeded(
        kols=n_kols,
        touchpoints=tp_count,
        follow_ups=fu_count,
        gives=give_count,
        asks=ask_count,
        msl_email=User.objects.get(pk=msl_id).email,
        manager_email=User.objects.get(pk=manager_ids[team_index]).email,
        admin_email="admin@bench.invalid",
        long_kol_id=long_kol_id,
        long_kol_touchpoints=Touchpoint.objects.filter(kol_id=long_kol_id).count(),
        post_kol_id=post_kol_id,
    )
