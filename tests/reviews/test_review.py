"""Stage reviews: POST /team/kols/<pk>/review/, the KOL page's review panel, the digest."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AuditEntry, Collaborator, Stage
from reminders import services as reminders
from reminders.models import Reminder
from reviews.models import StageReview
from tests.conftest import HTMX, client_for


def url(kol) -> str:
    return reverse("kol:review_add", args=[kol.pk])


def page_url(kol) -> str:
    return reverse("kol:kol_detail", args=[kol.pk])


SUGGEST = {
    "verdict": "suggest",
    "suggested_stage": "developing",
    "comment": "Three real conversations and she told us her goals: move her on.",
}


def test_a_manager_agrees_in_place(manager_client, manager, kol):
    response = manager_client.post(url(kol), {"verdict": "agree", "comment": ""}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="review"') and "<h1" not in html
    assert "Agrees with Establishing" in html and "Mona Manager" in html
    review = StageReview.objects.get()
    assert (review.reviewer, review.verdict, review.stage_at_review, review.suggested_stage) == (
        manager,
        "agree",
        Stage.ESTABLISHING,
        "",
    )
    assert review.seen_at is None
    entry = AuditEntry.objects.get(subject="stage review")
    assert (entry.actor, entry.subject_id, entry.summary) == (
        manager,
        review.pk,
        "agrees with Establishing",
    )


def test_a_manager_suggests_another_stage_with_a_plain_post(manager_client, kol):
    response = manager_client.post(url(kol), SUGGEST)
    assert response.status_code == 302
    assert response["Location"] == page_url(kol) + "#review"
    review = StageReview.objects.get()
    assert (review.verdict, review.suggested_stage, review.comment) == (
        "suggest",
        "developing",
        SUGGEST["comment"],
    )
    page = manager_client.get(response["Location"]).content.decode()
    assert "Review recorded." in page
    assert "Suggests Developing" in page and SUGGEST["comment"] in page
    assert AuditEntry.objects.get(subject="stage review").summary == (
        "suggests Developing instead of Establishing"
    )


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"verdict": "suggest", "comment": "Why not"}, "Pick the stage you suggest."),
        (
            {"verdict": "suggest", "suggested_stage": "establishing", "comment": "Hm"},
            "The relationship is already Establishing",
        ),
        ({"verdict": "suggest", "suggested_stage": "maintaining", "comment": "  "}, "Say why"),
        ({"verdict": "maybe"}, "Select a valid choice"),
    ],
)
def test_an_invalid_review_answers_422_and_saves_nothing(manager_client, kol, data, field_message):
    part = manager_client.post(url(kol), data, **HTMX)
    assert part.status_code == 422
    html = part.content.decode()
    assert field_message in html and "<h1" not in html
    assert "<details open>" in html.replace("<details  open>", "<details open>")
    page = manager_client.post(url(kol), data)
    assert page.status_code == 422
    assert field_message in page.content.decode() and "<h1" in page.content.decode()
    assert not StageReview.objects.exists()
    assert not AuditEntry.objects.filter(subject="stage review").exists()


def test_the_owner_and_collaborators_get_403(owner_client, teammate, kol):
    assert owner_client.post(url(kol), SUGGEST).status_code == 403
    Collaborator.objects.create(kol=kol, user=teammate)
    assert client_for(teammate).post(url(kol), SUGGEST).status_code == 403
    assert not StageReview.objects.exists()


def test_outsiders_and_other_managers_get_404(outsider_client, other_manager, kol):
    assert outsider_client.post(url(kol), SUGGEST).status_code == 404
    assert client_for(other_manager).post(url(kol), SUGGEST).status_code == 404
    assert not StageReview.objects.exists()


def test_anonymous_is_sent_to_sign_in_and_get_is_405(client, manager_client, kol):
    response = client.post(url(kol), SUGGEST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert manager_client.get(url(kol)).status_code == 405


def test_only_a_manager_sees_the_form(manager_client, owner_client, kol):
    assert "Record a stage review" in manager_client.get(page_url(kol)).content.decode()
    page = owner_client.get(page_url(kol)).content.decode()
    assert "Record a stage review" not in page and "No stage review yet." in page


def review(kol, reviewer, **fields) -> StageReview:
    values = {"stage_at_review": kol.stage, "verdict": "suggest", "suggested_stage": "developing"}
    return StageReview.objects.create(kol=kol, reviewer=reviewer, **(values | fields))


def test_the_owner_sees_the_review_once_as_new_and_it_becomes_seen(
    owner_client, manager_client, manager, kol
):
    older = review(kol, manager, verdict="agree", suggested_stage="", comment="Fine for now")
    older.at = timezone.now() - datetime.timedelta(days=30)
    older.seen_at = older.at
    older.save()
    latest = review(kol, manager, comment="Ready to move on")

    manager_client.get(page_url(kol))
    latest.refresh_from_db()
    assert latest.seen_at is None  # the manager looking is not the MSL seeing it

    page = owner_client.get(page_url(kol)).content.decode()
    panel = page[page.index('<section id="review"') :]
    panel = panel[: panel.index("</section>")]
    assert (
        "Suggests Developing" in panel and "Ready to move on" in panel and "Mona Manager" in panel
    )
    assert panel.count(">New<") == 1
    assert "Earlier reviews (1)" in panel and "Fine for now" in panel
    latest.refresh_from_db()
    assert latest.seen_at is not None

    again = owner_client.get(page_url(kol)).content.decode()
    assert "Ready to move on" in again and ">New<" not in again


def test_a_part_refresh_does_not_count_as_seeing_the_page(owner_client, manager, kol):
    unseen = review(kol, manager, comment="Have a look")
    owner_client.get(reverse("kol:kol_stage", args=[kol.pk]), **HTMX)
    unseen.refresh_from_db()
    assert unseen.seen_at is None


def test_the_digest_lists_unseen_reviews_and_marks_them_seen(
    owner, manager, kol, monkeypatch, mailoutbox
):
    owner.digest_time = datetime.time(0, 0)
    owner.save()
    monkeypatch.setattr(reminders, "publish_sends", lambda ids: ids)
    unseen = review(kol, manager, comment="Move her to developing")
    now = timezone.now()

    reminders.dispatch_due_reminders(now=now)
    digest = Reminder.objects.get(recipient=owner, kind="digest")
    assert reminders.send_reminder(digest.pk, now=now) == "sent"

    message = mailoutbox[0]
    assert message.to == [owner.email]
    assert "REVIEWS FROM YOUR MANAGER" in message.body
    assert "Dr Ada Lovelace: Mona Manager suggests Developing instead of Establishing" in (
        message.body
    )
    assert "Move her to developing" in message.body
    html = message.alternatives[0].content
    assert "Reviews from your manager" in html and "#review" in html
    unseen.refresh_from_db()
    assert unseen.seen_at is not None

    # Seen now: tomorrow's dispatch has nothing to tell the owner.
    tomorrow = now + datetime.timedelta(days=1)
    reminders.dispatch_due_reminders(now=tomorrow)
    for row in Reminder.objects.filter(status="pending"):
        assert reminders.send_reminder(row.pk, now=tomorrow) == "skipped"
    digests = Reminder.objects.filter(recipient=owner, kind="digest")
    assert digests.exclude(status="skipped").count() == 1
