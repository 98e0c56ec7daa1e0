"""Logging touchpoints: inline on the KOL page and on its own page; edit; delete; timeline."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts.models import AssumptionStatus, Collaborator, Interest, Kol
from engagements.models import FollowUp, Question, Touchpoint, TouchpointInterest
from tests.conftest import HTMX, client_for
from tests.engagements.factories import GiveFactory, QuestionFactory, TouchpointFactory
from tests.factories import InterestFactory, TherapeuticAreaFactory, TopicFactory


def add_url(kol):
    return reverse("kol:touchpoint_add", args=[kol.pk])


def form_data(**overrides):
    now = timezone.localtime()
    data = {
        "form_token": str(uuid.uuid4()),
        "kind": "meeting",
        "occurred_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "they_said": "Patients wait months for an echo; referral is the bottleneck.",
        "summary": "Coffee after grand rounds",
    }
    data.update(overrides)
    return data


def test_a_meeting_is_logged_inline_with_a_thank_you_follow_up(owner_client, kol, owner):
    response = owner_client.post(
        add_url(kol),
        form_data(next_steps="Send the registry protocol\n\n Share the ESC slides "),
        **HTMX,
    )
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="timeline"')
    assert "Patients wait months for an echo" in part
    assert "The thank-you recap is due" in part
    assert "touchpoints-changed" in response["HX-Trigger"]

    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.kol, touchpoint.by) == (kol, owner)
    follow_ups = {f.kind: f for f in FollowUp.objects.filter(source_touchpoint=touchpoint)}
    thank_you = follow_ups[FollowUp.Kind.THANK_YOU]
    assert thank_you.due_on == timezone.localdate(touchpoint.occurred_at) + datetime.timedelta(
        days=2
    )
    assert "Patients wait months for an echo" in thank_you.text
    promised = FollowUp.objects.filter(kind=FollowUp.Kind.PROMISED_RESOURCE).order_by("pk")
    assert [f.text for f in promised] == ["Send the registry protocol", "Share the ESC slides"]
    kol.refresh_from_db()
    assert kol.last_interaction_at == touchpoint.occurred_at
    assert kol.next_check_in_on == timezone.localdate(touchpoint.occurred_at) + datetime.timedelta(
        days=90
    )


def test_the_confirmation_carries_the_new_thank_you_and_its_draft(owner_client, kol):
    """After logging, the new thank-you is where the form was, with "Draft the thank-you"
    when the KOL agreed to email and the reason when they did not."""
    kol.email, kol.email_consent = "ada@example.org", True
    kol.save()
    part = owner_client.post(add_url(kol), form_data(), **HTMX).content.decode()
    thank_you = FollowUp.objects.get(kind=FollowUp.Kind.THANK_YOU)
    confirmation = part[part.index('class="flash flash-success logged"') :]
    confirmation = confirmation[: confirmation.index("</div>")]
    assert f'href="#followup-{thank_you.pk}"' in confirmation
    assert "Next: Thank" in confirmation
    assert 'href="mailto:ada@example.org?subject=Thank%20you' in confirmation

    kol.email_consent = False
    kol.save()
    part = owner_client.post(add_url(kol), form_data(), **HTMX).content.decode()
    assert "mailto:" not in part[part.index("flash-success") :].split("</div>")[0]
    assert "they have not agreed to be contacted by email" in part


def test_the_log_page_lands_on_the_kol_page_with_the_thank_you_at_the_top(owner_client, kol):
    kol.email, kol.email_consent = "ada@example.org", True
    kol.save()
    url = reverse("engagements:touchpoint_new")
    page = owner_client.post(url, form_data(kol=kol.pk), follow=True).content.decode()
    thank_you = FollowUp.objects.get(kind=FollowUp.Kind.THANK_YOU)
    messages = page[page.index('id="messages"') :]
    messages = messages[: messages.index("</div>")]
    assert f'<a href="#followup-{thank_you.pk}">The thank-you recap</a> is due' in messages
    assert 'class="followup-draft" href="mailto:ada@example.org?' in messages


def test_another_kols_form_token_is_refused_with_a_message_not_a_500(owner_client, kol, owner):
    """The token of the form sent for one KOL, posted again for another (a stale tab, a
    replayed queue): refused in place on both pages; the first touchpoint stays the only one."""
    from tests.factories import KolFactory

    data = form_data()
    assert owner_client.post(add_url(kol), data, **HTMX).status_code == 200
    other = KolFactory(name="Dr Other", owner=owner)
    inline = owner_client.post(add_url(other), data, **HTMX)
    assert inline.status_code == 422
    assert "This form was sent for another KOL" in inline.content.decode()
    log_page = owner_client.post(reverse("engagements:touchpoint_new"), data | {"kol": other.pk})
    assert log_page.status_code == 422
    assert "This form was sent for another KOL" in log_page.content.decode()
    assert list(Touchpoint.objects.values_list("kol_id", flat=True)) == [kol.pk]
    assert not FollowUp.objects.filter(kol=other).exists()


def test_an_email_is_not_a_conversation_and_gets_no_thank_you(owner_client, kol):
    owner_client.post(add_url(kol), form_data(kind="email"), **HTMX)
    assert Touchpoint.objects.get().is_conversation is False
    assert not FollowUp.objects.exists()


def test_a_backdated_meeting_never_gets_a_thank_you_due_in_the_past(owner_client, kol, owner):
    owner.thank_you_after_days = 1
    owner.save()
    old = timezone.localtime() - datetime.timedelta(days=20)
    owner_client.post(add_url(kol), form_data(occurred_at=old.strftime("%Y-%m-%dT%H:%M")))
    assert FollowUp.objects.get().due_on == timezone.localdate()


def test_bad_input_gets_clear_messages_and_saves_nothing(owner_client, kol):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = owner_client.post(add_url(kol), form_data(occurred_at=future), **HTMX)
    assert response.status_code == 422
    assert "Plan it as a follow-up instead" in response.content.decode()
    empty = owner_client.post(add_url(kol), form_data(they_said="", summary=""), **HTMX)
    assert empty.status_code == 422
    assert "Write what happened" in empty.content.decode()
    no_token = owner_client.post(add_url(kol), form_data(form_token=""), **HTMX)
    assert no_token.status_code == 422
    assert not Touchpoint.objects.exists() and not FollowUp.objects.exists()


def test_a_double_submit_creates_one_touchpoint(owner_client, kol):
    data = form_data()
    first = owner_client.post(add_url(kol), data, **HTMX)
    second = owner_client.post(add_url(kol), data, **HTMX)
    assert first.status_code == second.status_code == 200
    assert Touchpoint.objects.count() == 1
    assert FollowUp.objects.count() == 1
    # The repeat is answered as the first was: the thank-you made then.
    due = f"{FollowUp.objects.get().due_on:%a %d %b}"
    assert f"The thank-you recap is due {due}." in first.content.decode()
    assert f"The thank-you recap is due {due}." in second.content.decode()
    owner_client.post(add_url(kol), form_data(), **HTMX)
    assert Touchpoint.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_different_forms_at_once_create_two_touchpoints_and_one_form_twice_one(owner, kol):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    same = form_data()
    payloads = [same, same, form_data(), form_data()]
    results = []

    def post(data):
        results.append(client_for(owner).post(add_url(kol), data, **HTMX).status_code)
        connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200, 200]
    assert Touchpoint.objects.count() == 3


def test_a_stated_interest_and_an_assumption_are_recorded_from_the_meeting(owner_client, kol):
    topic = TopicFactory(name="HFpEF registries")
    assumed = InterestFactory(
        kol=kol, kind="speaking", provenance="assumed", assumption_status=AssumptionStatus.OPEN
    )
    refuted = InterestFactory(
        kol=kol, kind="advisory", provenance="assumed", assumption_status=AssumptionStatus.OPEN
    )
    owner_client.post(
        add_url(kol),
        form_data(
            **{
                "stated_interest_kind": "research",
                "stated_interest_topic": topic.pk,
                "stated_interest_note": "Wants to run a registry",
                f"assumption_{assumed.pk}": "confirmed",
                f"assumption_{refuted.pk}": "refuted",
            }
        ),
        **HTMX,
    )
    touchpoint = Touchpoint.objects.get()
    stated = Interest.objects.get(topic=topic)
    assert stated.provenance == "stated"
    assert stated.stated_on == timezone.localdate(touchpoint.occurred_at)
    assumed.refresh_from_db()
    refuted.refresh_from_db()
    assert assumed.counts_as_stated and not refuted.counts_as_stated
    assert refuted.assumption_status == AssumptionStatus.REFUTED
    assert set(TouchpointInterest.objects.values_list("outcome", flat=True)) == {
        "stated",
        "confirmed",
        "refuted",
    }


def test_logging_resets_the_check_in_and_completes_the_open_check_in(owner_client, kol, owner):
    check_in = FollowUp.objects.create(
        kol=kol,
        owner=owner,
        due_on=timezone.localdate(),
        kind=FollowUp.Kind.CHECK_IN,
        text="Quarterly check-in",
    )
    owner_client.post(add_url(kol), form_data(kind="phone"), **HTMX)
    check_in.refresh_from_db()
    assert check_in.status == FollowUp.Status.DONE and check_in.done_at is not None


def test_who_may_log(kol, teammate, manager, outsider):
    Collaborator.objects.create(kol=kol, user=teammate)
    assert client_for(teammate).post(add_url(kol), form_data(), **HTMX).status_code == 200
    assert client_for(manager).post(add_url(kol), form_data(), **HTMX).status_code == 403
    assert client_for(outsider).post(add_url(kol), form_data(), **HTMX).status_code == 404
    anonymous = client_for(None).post(add_url(kol), form_data())
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(teammate).get(add_url(kol)).status_code == 405
    assert Touchpoint.objects.count() == 1


def test_the_timeline_merges_everything_newest_first_and_filters(owner_client, kol, owner):
    TouchpointFactory(
        kol=kol, they_said="Old words", occurred_at=timezone.now() - datetime.timedelta(days=40)
    )
    GiveFactory(
        kol=kol, note="ESC overview", given_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    url = reverse("kol:kol_timeline", args=[kol.pk])
    part = owner_client.get(url, **HTMX).content.decode()
    # The KOL was added just now (its first stage entry), the give 5 days ago, the talk 40.
    assert (
        part.index("Relationship recorded") < part.index("ESC overview") < part.index("Old words")
    )
    gives = owner_client.get(url, {"kind": "give"}, **HTMX).content.decode()
    assert "ESC overview" in gives and "Old words" not in gives
    page = owner_client.get(url).content.decode()
    assert "<html" in page and 'id="timeline"' in page


def test_each_timeline_entry_shows_its_own_topics_and_questions_in_order(owner_client, kol):
    cardio, renal = TherapeuticAreaFactory(name="Cardiology"), TherapeuticAreaFactory(name="Renal")
    sglt2, hfpef = TopicFactory(area=cardio, name="SGLT2"), TopicFactory(area=cardio, name="HFpEF")
    ckd = TopicFactory(area=renal, name="CKD")
    gaps = QuestionFactory(purpose=Question.Purpose.INFORMATION_GAPS, text="What is missing?")
    goals = QuestionFactory(purpose=Question.Purpose.GOALS, text="What drives you?")
    first = TouchpointFactory(kol=kol, they_said="First talk")
    first.topics.add(ckd, sglt2, hfpef)
    first.questions.add(goals, gaps)
    second = TouchpointFactory(kol=kol, they_said="Second talk")
    second.topics.add(ckd)
    url = reverse("kol:kol_timeline", args=[kol.pk])
    part = owner_client.get(url, **HTMX).content.decode()
    first_entry = part[part.index(f'id="timeline-touchpoint-{first.pk}"') :]
    first_entry = first_entry[: first_entry.index("</li>\n")]
    # Topics by area, then name; questions in the bank's order (purpose).
    assert first_entry.index("HFpEF") < first_entry.index("SGLT2") < first_entry.index("CKD")
    assert first_entry.index("What drives you?") < first_entry.index("What is missing?")
    second_entry = part[part.index(f'id="timeline-touchpoint-{second.pk}"') :]
    second_entry = second_entry[: second_entry.index("</li>\n")]
    assert "CKD" in second_entry and "SGLT2" not in second_entry
    assert "Questions asked" not in second_entry


def test_the_timeline_pages_by_twenty(owner_client, kol):
    for days in range(25):
        TouchpointFactory(
            kol=kol,
            they_said=f"Words {days:02d}",
            occurred_at=timezone.now() - datetime.timedelta(days=days + 1),
        )
    url = reverse("kol:kol_timeline", args=[kol.pk])
    first = owner_client.get(url, **HTMX).content.decode()
    # Page one: the KOL's first stage entry (today) and the 19 newest touchpoints.
    assert first.count('class="timeline-entry') == 20
    assert "Words 00" in first and "Words 18" in first and "Words 19" not in first
    assert "Older" in first
    second = owner_client.get(url, {"page": 2}, **HTMX).content.decode()
    assert "Words 19" in second and "Words 24" in second and "Words 00" not in second
    assert "Newer" in second


@pytest.mark.parametrize("count", [5, 300])
def test_the_kol_page_query_count_does_not_grow_with_the_timeline(
    count, owner_client, kol, django_assert_max_num_queries
):
    topic = TopicFactory()
    for touchpoint in TouchpointFactory.create_batch(count, kol=kol):
        touchpoint.topics.add(topic)
    with django_assert_max_num_queries(21):
        response = owner_client.get(reverse("kol:kol_detail", args=[kol.pk]))
    assert response.content.decode().count('class="timeline-entry') == min(count + 1, 20)


def test_only_the_author_edits_and_deletes_a_touchpoint(owner_client, kol, owner, teammate):
    Collaborator.objects.create(kol=kol, user=teammate)
    mine = TouchpointFactory(kol=kol, by=owner)
    edit = reverse("kol:touchpoint_edit", args=[kol.pk, mine.pk])
    delete = reverse("kol:touchpoint_delete", args=[kol.pk, mine.pk])
    assert client_for(teammate).get(edit).status_code == 403
    assert client_for(teammate).post(delete).status_code == 403
    form = owner_client.get(edit, **HTMX).content.decode()
    assert 'name="version" value="1"' in form
    data = form_data(they_said="Corrected words", version=1)
    response = owner_client.post(edit, data, **HTMX)
    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.they_said, mine.version) == ("Corrected words", 2)
    stale = owner_client.post(edit, form_data(they_said="Stale words", version=1), **HTMX)
    assert stale.status_code == 409
    assert "Someone changed this touchpoint" in stale.content.decode()
    mine.refresh_from_db()
    assert mine.they_said == "Corrected words"
    confirm = owner_client.get(delete)
    assert confirm.status_code == 200 and "Delete this touchpoint?" in confirm.content.decode()


def test_deleting_keeps_the_follow_ups_and_recomputes_the_check_in(owner_client, kol):
    owner_client.post(add_url(kol), form_data(), **HTMX)
    touchpoint = Touchpoint.objects.get()
    delete = reverse("kol:touchpoint_delete", args=[kol.pk, touchpoint.pk])
    assert owner_client.post(delete, **HTMX).status_code == 200
    assert not Touchpoint.objects.exists()
    assert FollowUp.objects.get().source_touchpoint is None
    kol = Kol.objects.get(pk=kol.pk)
    assert kol.last_interaction_at is None
    assert kol.next_check_in_on == kol.compute_next_check_in()


def test_the_log_page_picks_a_kol_as_you_type_then_logs(owner_client, kol, outsider):
    from tests.factories import KolFactory

    KolFactory(name="Dr Ada Hidden", owner=outsider)
    url = reverse("engagements:touchpoint_new")
    part = owner_client.get(url, {"q": "ada"}, **HTMX).content.decode()
    assert part.lstrip().startswith('<section id="picker"')
    assert "Dr Ada Lovelace" in part and "Dr Ada Hidden" not in part
    page = owner_client.get(url, {"kol": kol.pk}).content.decode()
    assert "With Dr Ada Lovelace" in page and 'name="form_token"' in page
    response = owner_client.post(url, form_data(kol=kol.pk))
    assert response.status_code == 302 and response["Location"] == f"/kols/{kol.pk}/"
    assert Touchpoint.objects.filter(kol=kol).count() == 1
    missing = owner_client.post(url, form_data())
    assert missing.status_code == 422 and "Pick the KOL you met first" in missing.content.decode()
    other = Kol.objects.get(name="Dr Ada Hidden")
    assert owner_client.get(url, {"kol": other.pk}).status_code == 404


def test_touchpoints_and_their_follow_ups_are_in_the_audit_history(owner_client, kol, owner):
    from contacts.models import AuditEntry

    owner_client.post(add_url(kol), form_data(), **HTMX)
    touchpoint = Touchpoint.objects.get()
    edit = reverse("kol:touchpoint_edit", args=[kol.pk, touchpoint.pk])
    owner_client.post(edit, form_data(they_said="Second thoughts", version=1), **HTMX)
    owner_client.post(reverse("kol:touchpoint_delete", args=[kol.pk, touchpoint.pk]))
    entries = AuditEntry.objects.filter(kol=kol).exclude(subject__in=["KOL profile"])
    assert [(e.action, e.subject) for e in entries.order_by("pk")] == [
        ("created", "touchpoint"),
        ("created", "follow-up"),
        ("changed", "touchpoint"),
        ("deleted", "touchpoint"),
    ]
    changed = entries.get(action="changed")
    assert changed.changes["what they said"][1] == "Second thoughts"
    assert changed.actor == owner
