"""The main pages run the same number of queries with 2 and with 12 rows of each kind they
show (tests/querycount.py). Paths are literal: the pages' URL names move between namespaces
more often than the addresses do."""

import datetime
import re

import pytest
from django.utils import timezone

from contacts.models import Collaborator, Goal
from engagements.models import FollowUp, Touchpoint
from reminders.models import Reminder
from tests.conftest import HTMX
from tests.engagements.factories import (
    AskFactory,
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.factories import (
    GoalFactory,
    InterestFactory,
    KolFactory,
    MembershipFactory,
    StageChangeFactory,
    TherapeuticAreaFactory,
    TopicFactory,
    UserFactory,
)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def words(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_kol_page(owner_client, kol, teammate, assert_same_query_counts):
    topic = TopicFactory(name="Cardio-renal")

    def add(n):
        for touchpoint in TouchpointFactory.create_batch(n, kol=kol, they_said="Words"):
            touchpoint.topics.add(topic)
        FollowUpFactory.create_batch(n, kol=kol)
        FollowUpFactory.create_batch(n, kol=kol, owner=teammate, due_on=days(7))
        GiveFactory.create_batch(n, kol=kol)
        AskFactory.create_batch(n, kol=kol)
        InterestFactory.create_batch(n, kol=kol)
        GoalFactory.create_batch(n, kol=kol, whose=Goal.Whose.KOL)
        GoalFactory.create_batch(n, kol=kol, whose=Goal.Whose.OURS)

    Collaborator.objects.create(kol=kol, user=teammate)
    counts = assert_same_query_counts(owner_client, f"/kols/{kol.pk}/", add)
    assert counts.large_page.count("Send the HFpEF registry protocol") > counts.small_page.count(
        "Send the HFpEF registry protocol"
    )


@pytest.mark.parametrize("form", ["touchpoint", "interest", "followup"])
def test_the_kol_page_with_a_form_open(form, owner_client, kol, assert_same_query_counts):
    def add(n):
        TouchpointFactory.create_batch(n, kol=kol)
        FollowUpFactory.create_batch(n, kol=kol)
        InterestFactory.create_batch(n, kol=kol)

    assert_same_query_counts(owner_client, f"/kols/{kol.pk}/?open={form}", add)


def test_today(owner_client, owner, assert_same_query_counts):
    topic = TopicFactory(name="Cardio-renal")

    def add(n):
        for kol in KolFactory.create_batch(n, owner=owner, next_check_in_on=days(-3)):
            InterestFactory(kol=kol, topic=topic)
            TouchpointFactory(kol=kol)
            for offset in (-2, 0, 5):
                FollowUpFactory(kol=kol, due_on=days(offset), text=f"Item {kol.pk}")

    counts = assert_same_query_counts(owner_client, "/today/", add)
    assert "Follow-ups due (24)" in words(counts.large_page)


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_the_kol_list(who, request, owner, teammate, assert_same_query_counts):
    client = request.getfixturevalue(f"{who}_client")
    area = TherapeuticAreaFactory(name="Cardiology")

    def add(n):
        for number in range(n):
            kol = KolFactory(owner=(owner, teammate)[number % 2])
            kol.therapeutic_areas.add(area)
            TouchpointFactory(kol=kol)
            FollowUpFactory(kol=kol)

    counts = assert_same_query_counts(client, "/kols/", add)
    assert counts.large_page.count('<th scope="row">') > counts.small_page.count('<th scope="row">')


@pytest.mark.parametrize("part", [True, False], ids=["htmx-part", "page"])
def test_the_follow_ups_list(part, owner_client, kol, assert_same_query_counts):
    collaborator = UserFactory()
    MembershipFactory(user=collaborator)
    Collaborator.objects.create(kol=kol, user=collaborator)
    done_at = timezone.now() - datetime.timedelta(days=2)

    def add(n):
        for i in range(n):
            FollowUpFactory(
                kol=kol,
                owner=collaborator if i % 2 else kol.owner,
                due_on=days(i % 40 - 10),
                text=f"Follow-up {i}",
                status=FollowUp.Status.OPEN if i % 3 else FollowUp.Status.DONE,
                done_at=None if i % 3 else done_at,
            )

    headers = HTMX if part else {}
    counts = assert_same_query_counts(owner_client, f"/kols/{kol.pk}/followups/", add, **headers)
    assert counts.large_page.count('class="followup followup-') == 12


def _book(owner, teammate, n):
    """n KOLs split between owner and teammate, each met, given to and asked, one moved on."""
    for number in range(n):
        kol = KolFactory(
            owner=(owner, teammate)[number % 2], next_check_in_on=days(-3 if number % 3 else 5)
        )
        TouchpointFactory(kol=kol, kind=Touchpoint.Kind.MEETING)
        GiveFactory(kol=kol)
        AskFactory(kol=kol)
        FollowUpFactory(kol=kol, due_on=days(-1))
        StageChangeFactory(kol=kol, from_stage="", to_stage=kol.stage)


@pytest.mark.parametrize(
    "path", ["/team/board/", "/team/board/?check_in=overdue", "/team/board/?suggested=on"]
)
def test_the_managers_board(path, manager_client, owner, teammate, assert_same_query_counts):
    assert_same_query_counts(manager_client, path, lambda n: _book(owner, teammate, n))


def test_the_managers_overview(manager_client, owner, teammate, assert_same_query_counts):
    counts = assert_same_query_counts(manager_client, "/team/", lambda n: _book(owner, teammate, n))
    assert "6 active KOLs" in words(counts.large_page)  # each MSL's


def test_search(owner_client, owner, assert_same_query_counts):
    now = timezone.now()

    def add(n):
        for number in range(n):
            kol = KolFactory(owner=owner, name=f"Dr Bottleneck {number}")
            TouchpointFactory(
                kol=kol,
                they_said=f"The referral bottleneck, again ({number})",
                occurred_at=now - datetime.timedelta(hours=number),
            )
            GoalFactory(kol=kol, text="Clear the bottleneck in referrals")

    counts = assert_same_query_counts(owner_client, "/search/?q=bottleneck", add)
    assert counts.large_page.count("search-touchpoint-") > counts.small_page.count(
        "search-touchpoint-"
    )


def test_sent_reminders(owner_client, owner, assert_same_query_counts):
    added = []

    def add(n):
        for _ in range(n):
            day = days(-len(added))
            Reminder.objects.create(
                recipient=owner,
                kind=Reminder.Kind.DIGEST,
                due_key=day.isoformat(),
                status=Reminder.Status.SENT,
                subject=f"Your day, {day:%d %b}",
                attempts=1,
            )
            added.append(day)

    counts = assert_same_query_counts(owner_client, "/reminders/sent/", add)
    assert counts.large_page.count("reminder-status reminder-sent") == 12
