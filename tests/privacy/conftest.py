"""The KOL every privacy test exports or erases: a row of every kind, each holding MARK."""

import datetime

import pytest
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import Collaborator, ImportJob, Kol, Stage
from engagements.models import (
    EngagementPlan,
    FollowUp,
    TouchpointInterest,
)
from events.models import Event
from reminders.models import Reminder
from reviews.models import StageReview
from tests.engagements.factories import (
    AskFactory,
    FollowUpFactory,
    GiveFactory,
    QuestionFactory,
    TouchpointFactory,
)
from tests.factories import GoalFactory, InterestFactory, TopicFactory

MARK = "Zqxmark"  # a string found nowhere else: every text we hold about the person has it


@pytest.fixture
def collaborator(kol, teammate):
    Collaborator.objects.create(kol=kol, user=teammate)
    return teammate


@pytest.fixture
def full_kol(owner, manager, collaborator, kol):
    """The standing KOL with every kind of row, each text carrying MARK."""
    contact_services.kol_update(
        kol=kol,
        by=owner,
        expected_version=kol.version,
        data={
            "name": f"Dr Ada {MARK}",
            "credentials": f"MD {MARK}",
            "specialty": f"Cardiology {MARK}",
            "institution": f"St {MARK} Hospital",
            "city": f"{MARK}ton",
            "country": f"{MARK}land",
            "email": f"ada.{MARK.lower()}@example.test",
            "phone": "+44 20 7946 0000",
            "profile_url": f"https://example.test/{MARK}",
            "from_where": f"Born in {MARK}",
            "trained_at": f"{MARK} Medical School",
            "passions": f"Sailing off {MARK}",
            "preferred_channel": Kol.Channel.EMAIL,
            "email_consent": True,
            "email_consent_on": datetime.date(2026, 3, 1),
        },
    )
    topic = TopicFactory(name="HFpEF")
    interest = InterestFactory(kol=kol, topic=topic, note=f"Wants registry data {MARK}")
    contact_services.goal_add(
        kol=kol,
        by=owner,
        data={
            "whose": "ours",
            "area": "medical",
            "text": f"Our goal {MARK}",
            "in_it_for_kol": f"For them {MARK}",
        },
    )
    GoalFactory(kol=kol, text=f"Their goal {MARK}")
    contact_services.kol_change_stage(
        kol=kol,
        by=owner,
        to_stage=Stage.DEVELOPING,
        reason=f"Trust {MARK}",
        expected_version=kol.version,
    )
    touchpoint = TouchpointFactory(
        kol=kol,
        where=f"ESC {MARK}",
        summary=f"Summary {MARK}",
        they_said=f"They said {MARK}",
        feedback=f"Feedback {MARK}",
        questions_text=f"Questions {MARK}",
        next_steps=f"Next {MARK}",
    )
    touchpoint.topics.add(topic)
    touchpoint.questions.add(QuestionFactory())
    TouchpointInterest.objects.create(touchpoint=touchpoint, interest=interest, outcome="stated")
    FollowUpFactory(kol=kol, text=f"Open follow-up {MARK}")
    done = FollowUpFactory(
        kol=kol, text=f"Done follow-up {MARK}", status=FollowUp.Status.DONE, done_at=timezone.now()
    )
    Reminder.objects.create(
        recipient=kol.owner,
        kind=Reminder.Kind.FOLLOW_UP,
        object_key=f"followup:{done.pk}",
        due_key="2026-03-01",
        subject=f"Due today: promised resource for Dr Ada {MARK}",
    )
    GiveFactory(kol=kol, topic=topic, note=f"Give note {MARK}", response=f"Response {MARK}")
    AskFactory(kol=kol, in_it_for_kol=f"In it {MARK}", outcome=f"Outcome {MARK}")
    EngagementPlan.objects.create(
        kol=kol,
        objectives=f"Objectives {MARK}",
        kol_input=f"Input {MARK}",
        who_interacts=f"Who {MARK}",
        outcome_measures=f"Measures {MARK}",
        updated_by=owner,
    )
    event = Event.objects.create(
        name="ESC Congress", starts_on=datetime.date(2025, 8, 29), ends_on=datetime.date(2025, 9, 1)
    )
    event.attendees.add(kol)
    StageReview.objects.create(
        kol=kol,
        reviewer=manager,
        stage_at_review=Stage.DEVELOPING,
        verdict="agree",
        comment=f"Review {MARK}",
    )
    ImportJob.objects.create(
        owner=owner,
        file_name="list.csv",
        headers=["Name", "Institution"],
        rows=[[f"Dr Ada {MARK}", f"St {MARK} Hospital"], ["Dr Someone Else", "Yale"]],
    )
    kol.refresh_from_db()
    return kol
