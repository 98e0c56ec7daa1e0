"""The reminder dispatcher's benchmark core (`manage.py bench_reminders`, `make bench`):
seed N KOLs on the current connection, time `dispatch_due_reminders()` twice counting
queries, and optionally time sends to a local SMTP sink. The tests run it on the test
database."""

import datetime
import logging
import socket
import time
import uuid
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Membership, Team, User
from bench.publishing import celery_publishing_to
from common.bulk import insert
from contacts.models import Interest, Kol, Provenance, Stage, TherapeuticArea, Topic
from engagements.models import FollowUp, Give
from reminders import services as reminders
from reminders.models import Reminder

DEFAULT_SIZES = "1000,10000,100000"
MSLS = 50
MSLS_PER_TEAM = 10
STAGES = [Stage.ESTABLISHING, Stage.DEVELOPING, Stage.MAINTAINING]


@dataclass
class Run:
    seconds: float
    queries: int
    check_ins_scheduled: int
    reminders_created: int  # rows that are really new in the database
    reminders_reported: int  # what DispatchResult says it created
    enqueued: int


@dataclass
class SizeResult:
    kols: int
    seed_seconds: float
    first: Run
    second: Run


# Publishing --------------------------------------------------------------------------


# Seeding -----------------------------------------------------------------------------


def seed(kols: int, *, msls: int = MSLS, today: datetime.date | None = None) -> list[int]:
    """N KOLs for `msls` MSLs (half want an email per follow-up; all have their digest hour
    come), a manager per 10 MSLs, 2 follow-ups per KOL, literature interests on 1 in 20.
    Returns the MSLs' ids."""
    today = today or timezone.localdate()
    tag = uuid.uuid4().hex[:8]
    now = timezone.now()
    users = [
        User(
            email=f"msl{n}-{tag}@bench.invalid",
            display_name=f"Bench MSL {n}",
            password="!",  # unusable
            digest_time=datetime.time(0, 0),
            time_zone="UTC",
            immediate_follow_ups=n % 2 == 0,
        )
        for n in range(msls)
    ]
    managers = [
        User(email=f"manager{n}-{tag}@bench.invalid", display_name=f"Manager {n}", password="!")
        for n in range((msls + MSLS_PER_TEAM - 1) // MSLS_PER_TEAM)
    ]
    User.objects.bulk_create(users + managers)
    msl_ids = list(
        User.objects.filter(email__in=[u.email for u in users])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    manager_ids = list(
        User.objects.filter(email__in=[u.email for u in managers]).values_list("pk", flat=True)
    )
    Team.objects.bulk_create([Team(name=f"Bench {tag} {n}") for n in range(len(manager_ids))])
    teams = list(Team.objects.filter(name__startswith=f"Bench {tag} ").order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(team=team, user_id=manager_id, role=Membership.Role.MANAGER)
            for team, manager_id in zip(teams, manager_ids, strict=True)
        ]
        + [
            Membership(team=teams[n // MSLS_PER_TEAM], user_id=user_id)
            for n, user_id in enumerate(msl_ids)
        ]
    )
    area, _ = TherapeuticArea.objects.get_or_create(name="Bench area")
    topics = [Topic.objects.get_or_create(area=area, name=f"Bench topic {n}")[0] for n in range(5)]

    # Check-ins from 30 days ago to 119 days ahead: 31 of 150 days (about 20%) are due.
    insert(
        Kol,
        (
            Kol(
                name=f"Dr Bench {n:06d}",
                institution=f"Hospital {n % 97}",
                specialty="Cardiology",
                owner_id=msl_ids[n % msls],
                stage=STAGES[n % 3],
                is_archived=n % 50 == 49,
                last_interaction_at=now - datetime.timedelta(days=60),
                next_check_in_on=today + datetime.timedelta(days=(n * 7919) % 150 - 30),
                created_at=now,
            )
            for n in range(kols)
        ),
    )
    kol_rows = list(
        Kol.objects.filter(owner_id__in=msl_ids).order_by("pk").values_list("pk", "owner_id")
    )
    # Due from 10 days ago to 49 days ahead (11 of 60 due); one in three done already.
    insert(
        FollowUp,
        (
            FollowUp(
                kol_id=kol_id,
                owner_id=owner_id,
                due_on=today + datetime.timedelta(days=((2 * n + j) * 7) % 60 - 10),
                kind=FollowUp.Kind.PROMISED_RESOURCE if j else FollowUp.Kind.THANK_YOU,
                text="Send the registry protocol",
                status=FollowUp.Status.DONE if (2 * n + j) % 3 == 0 else FollowUp.Status.OPEN,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
            for j in range(2)
        ),
    )
    insert(
        Interest,
        (
            Interest(
                kol_id=kol_id,
                kind=Interest.Kind.RESEARCH,
                topic=topics[n % len(topics)],
                provenance=Provenance.STATED,
                give_cadence_days=30,
                created_by_id=owner_id,
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
            if n % 20 == 0
        ),
    )
    insert(
        Give,
        (
            Give(
                kol_id=kol_id,
                by_id=owner_id,
                kind=Give.Kind.LITERATURE,
                topic=topics[n % len(topics)],
                given_on=today - datetime.timedelta(days=5),
                created_at=now,
            )
            for n, (kol_id, owner_id) in enumerate(kol_rows)
            if n % 40 == 0  # half of the interests had a give within their cadence
        ),
    )
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (User, Kol, FollowUp, Interest, Give, Reminder)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
    return msl_ids


# Timing ------------------------------------------------------------------------------


def time_dispatch() -> Run:
    before = Reminder.objects.count()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = reminders.dispatch_due_reminders()
        seconds = time.perf_counter() - started
    return Run(
        seconds=seconds,
        queries=len(queries.captured_queries),
        check_ins_scheduled=result.check_ins_scheduled,
        reminders_created=Reminder.objects.count() - before,
        reminders_reported=result.reminders_created,
        enqueued=result.enqueued,
    )


def bench_size(kols: int, *, msls: int = MSLS) -> SizeResult:
    """Seed `kols` KOLs on the current connection and time two dispatches (the second one
    should create nothing). Publishing goes to Celery's memory broker."""
    started = time.perf_counter()
    seed(kols, msls=msls)
    seed_seconds = time.perf_counter() - started
    with celery_publishing_to("memory://localhost/"):
        first = time_dispatch()
        second = time_dispatch()
    return SizeResult(kols=kols, seed_seconds=seed_seconds, first=first, second=second)


def time_sends(limit: int) -> tuple[int, float]:
    """Send up to `limit` of the outbox's pending rows through Django's SMTP backend to a
    local SMTP sink (aiosmtpd, in this process): (emails accepted, seconds)."""
    from aiosmtpd.controller import Controller  # a dev dependency, needed only with --sends

    class Sink:
        accepted = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.accepted += 1
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # One line per SMTP command and per send would drown the figures.
    for name in ("mail.log", "reminders.services"):
        logging.getLogger(name).setLevel(logging.WARNING)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    try:
        with override_settings(MAILERS=mailers):
            started = time.perf_counter()
            for reminder_id in ids:
                reminders.send_reminder(reminder_id)
            seconds = time.perf_counter() - started
    finally:
        controller.stop()
    return Sink.accepted, seconds


HEADER = (
    f"{'KOLs':>8}  {'run':>6}  {'seconds':>8}  {'queries':>7}  {'check-ins':>9}  "
    f"{'reminders':>9}  {'(reported)':>10}  {'enqueued':>8}"
)


def format_run(kols: int, label: str, run: Run) -> str:
    return (
        f"{kols:>8}  {label:>6}  {run.seconds:>8.3f}  {run.queries:>7}  "
        f"{run.check_ins_scheduled:>9}  {run.reminders_created:>9}  "
        f"{run.reminders_reported:>10}  {run.enqueued:>8}"
    )
