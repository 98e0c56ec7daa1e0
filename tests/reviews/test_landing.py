"""Issue 17, the manager's desk: "/" sends a manager to what needs them, an MSL to Today."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Kol, Stage
from reviews.models import StageReview
from reviews.selectors.desk import SHOWN, manager_desk
from tests.conftest import HTMX, client_for
from tests.factories import KolFactory, StageChangeFactory

URL = reverse("reviews:desk")


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def overdue_kol(owner, name: str, days: int):
    today = owner.today()
    return KolFactory(
        owner=owner, name=name, next_check_in_on=today - datetime.timedelta(days=days)
    )


def quiet_kol(owner, name: str):
    """No contact in 100 days on a 30-day cadence: the rules say at risk."""
    return KolFactory(
        owner=owner,
        name=name,
        stage=Stage.ESTABLISHING,
        created_at=ago(100),
        next_check_in_on=owner.today() + datetime.timedelta(days=20),
    )


@pytest.fixture
def desk_world(owner, teammate, outsider, manager):
    overdue_kol(owner, "Dr Long Late", 40)
    overdue_kol(teammate, "Dr Bit Late", 3)
    KolFactory(owner=owner, name="Dr On Time", next_check_in_on=owner.today())
    quiet = quiet_kol(teammate, "Dr Quiet")
    moved = KolFactory(
        owner=owner,
        name="Dr Moved",
        stage=Stage.DEVELOPING,
        next_check_in_on=owner.today() + datetime.timedelta(days=30),
    )
    StageChangeFactory(
        kol=moved, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(4)
    )
    reviewed = KolFactory(
        owner=owner,
        name="Dr Reviewed",
        stage=Stage.DEVELOPING,
        next_check_in_on=owner.today() + datetime.timedelta(days=30),
    )
    StageChangeFactory(
        kol=reviewed, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(6)
    )
    StageReview.objects.create(
        kol=reviewed,
        reviewer=manager,
        at=ago(2),
        stage_at_review=Stage.DEVELOPING,
        verdict=StageReview.Verdict.AGREE,
    )
    # Another team's KOLs: overdue, quiet and moved, and never on this desk.
    overdue_kol(outsider, "Dr Elsewhere Late", 50)
    quiet_kol(outsider, "Dr Elsewhere Quiet")
    far = KolFactory(owner=outsider, name="Dr Elsewhere Moved", stage=Stage.DEVELOPING)
    StageChangeFactory(
        kol=far, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(1)
    )
    return {"quiet": quiet, "moved": moved}


# Where "/" leads


def test_it_sends_a_manager_to_the_desk(manager_client):
    response = manager_client.get("/")
    assert response.status_code == 302 and response["Location"] == URL


def test_it_sends_an_msl_to_today(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("engagements:today")


def test_a_post_to_home_still_lands(manager_client):
    assert manager_client.post("/")["Location"] == URL


def test_home_answers_no_put(manager_client):
    assert manager_client.put("/").status_code == 405


# What the desk lists


def test_it_lists_the_teams_overdue_check_ins_worst_first(manager_client, desk_world):
    page = manager_client.get(URL).content.decode()
    overdue = page[page.index('id="desk-overdue"') : page.index('id="desk-suggestions"')]
    assert 'Overdue check-ins <span class="count">(2)</span>' in overdue
    assert overdue.index("Dr Long Late") < overdue.index("Dr Bit Late")
    assert "by 40 days" in overdue and "Long overdue" in overdue
    assert "Dr On Time" not in overdue
    kol = Kol.objects.get(name="Dr Long Late")
    assert reverse("kol:kol_detail", args=[kol.pk]) in overdue


def test_it_lists_stage_suggestions(manager_client, desk_world):
    page = manager_client.get(URL).content.decode()
    suggestions = page[page.index('id="desk-suggestions"') : page.index('id="desk-reviews"')]
    assert "Dr Quiet" in suggestions and "Suggests at risk" in suggestions
    assert reverse("kol:kol_detail", args=[desk_world["quiet"].pk]) in suggestions


def test_it_lists_reviews_not_yet_written(manager_client, desk_world):
    page = manager_client.get(URL).content.decode()
    reviews = page[page.index('id="desk-reviews"') :]
    assert "Dr Moved" in reviews and "Moved to developing" in reviews  # a move, no review
    assert "Dr Quiet" in reviews and "never reviewed" in reviews  # a suggestion, no review
    assert "Dr Reviewed" not in reviews  # reviewed since it moved
    assert reviews.index("Dr Moved") < reviews.index("Dr Quiet")  # moves first


def test_another_teams_kols_never_appear(manager_client, desk_world):
    page = manager_client.get(URL).content.decode()
    assert "Elsewhere" not in page


def test_the_other_manager_sees_only_their_team(other_manager, desk_world):
    page = client_for(other_manager).get(URL).content.decode()
    assert "Dr Elsewhere Late" in page and "Dr Elsewhere Quiet" in page
    assert "Dr Elsewhere Moved" in page
    assert "Dr Long Late" not in page and "Dr Quiet" not in page


def test_a_review_clears_a_suggestion_from_the_unwritten(manager, team, desk_world):
    desk = manager_desk([team], today=manager.today(), now=timezone.now())
    assert "Dr Quiet" in [r.kol.name for r in desk.reviews]
    StageReview.objects.create(
        kol=desk_world["quiet"],
        reviewer=manager,
        stage_at_review=Stage.ESTABLISHING,
        verdict=StageReview.Verdict.AGREE,
    )
    desk = manager_desk([team], today=manager.today(), now=timezone.now())
    assert "Dr Quiet" not in [r.kol.name for r in desk.reviews]
    assert "Dr Quiet" in [c.kol.name for c in desk.suggestions]  # the evidence still says so


def test_it_shows_the_worst_few_and_counts_the_rest(manager_client, owner):
    for n in range(SHOWN + 3):
        overdue_kol(owner, f"Dr Late {n:02d}", 10 + n)
    page = manager_client.get(URL).content.decode()
    assert f"All {SHOWN + 3} on the stage board" in page
    assert "Dr Late 07" in page and "Dr Late 00" not in page  # the longest overdue shown


def test_a_clear_desk_says_so(manager_client, owner):
    page = manager_client.get(URL).content.decode()
    assert "Nothing waits on you" in page
    assert "Your own Today" not in page  # a manager with no KOLs of their own


def test_a_manager_who_is_also_an_msl_keeps_a_link_to_their_today(manager, manager_client):
    KolFactory(owner=manager, name="Dr Managers Own")
    page = manager_client.get(URL).content.decode()
    assert f'href="{reverse("engagements:today")}">Your own Today' in page


# Who may open it


def test_an_msl_gets_404(owner_client):
    assert owner_client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_only_answers_get(manager_client):
    assert manager_client.post(URL).status_code == 405


def test_htmx_gets_the_same_page(manager_client, desk_world):
    """No part to swap: the desk is one page, whatever asks for it."""
    page = manager_client.get(URL, **HTMX).content.decode()
    assert "Dr Long Late" in page


def test_the_query_count_does_not_grow(
    manager_client,
    owner,
    teammate,
    manager,
    assert_same_query_counts,
    django_assert_max_num_queries,
):
    def add(n):
        for i in range(n):
            overdue_kol(owner, f"Dr Over {i}", 5 + i)
            quiet_kol(teammate, f"Dr Hush {i}")
            kol = KolFactory(owner=owner, stage=Stage.DEVELOPING)
            StageChangeFactory(
                kol=kol, from_stage=Stage.ESTABLISHING, to_stage=Stage.DEVELOPING, changed_at=ago(3)
            )
            StageReview.objects.create(
                kol=kol,
                reviewer=manager,
                at=ago(5),
                stage_at_review=Stage.ESTABLISHING,
                verdict=StageReview.Verdict.AGREE,
            )

    counts = assert_same_query_counts(manager_client, URL, add)
    assert "Dr Over" in counts.large_page and "Dr Hush" in counts.large_page
    # Session, user, teams, overdue, the board's seven, changes, reviews, own KOLs.
    with django_assert_max_num_queries(14):
        manager_client.get(URL)
