import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from contacts.models import Stage, StageChange
from reviews.selectors.flow import median_days_in_stage, stage_flow
from tests.conftest import client_for
from tests.factories import KolFactory, MembershipFactory, StageChangeFactory, TeamFactory

URL = reverse("reviews:flow")
E, D, M = Stage.ESTABLISHING, Stage.DEVELOPING, Stage.MAINTAINING


def history(kol, *steps, now):
    """steps: (days ago, from_stage, to_stage, reason); the first usually from ""."""
    for days_ago, from_stage, to_stage, reason in steps:
        StageChangeFactory(
            kol=kol,
            from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            changed_at=now - datetime.timedelta(days=days_ago),
        )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def moves(owner, teammate, outsider, now):
    """A known sequence: three KOLs of team A, one of team B."""
    ada = KolFactory(name="Dr Ada Forward", owner=owner, stage=D)
    history(
        ada,
        (100, "", E, ""),
        (80, E, D, "Asked for trial data"),
        (40, D, M, "Quarterly check-ins agreed"),
        (10, M, D, "Moved to a new hospital"),
        now=now,
    )
    bea = KolFactory(name="Dr Bea Back", owner=teammate, stage=E)
    history(
        bea,
        (60, "", E, ""),
        (50, E, D, "Came to the advisory board"),
        (20, D, E, "Stopped answering after the label change"),
        now=now,
    )
    cy = KolFactory(name="Dr Cy Slow", owner=owner, stage=M)
    history(cy, (200, "", E, ""), (120, E, D, "Old move"), (5, D, M, "Co-authored"), now=now)
    hidden = KolFactory(name="Dr Hidden Move", owner=outsider, stage=D)
    history(hidden, (90, "", E, ""), (30, E, D, "Outsider reason"), now=now)
    return {"ada": ada, "bea": bea, "cy": cy, "hidden": hidden}


def test_it_counts_forward_back_and_each_transition(manager, team, moves):
    flow = stage_flow(team_ids=[team.pk], days=90)
    assert (flow.forward, flow.back) == (4, 2)
    counts = {(t.from_stage, t.to_stage): t.count for t in flow.transitions}
    assert counts == {(E, D): 2, (D, M): 2, (E, M): 0, (M, D): 1, (D, E): 1, (M, E): 0}


def test_it_computes_the_median_time_in_each_stage(team, moves):
    def medians(days):
        flow = stage_flow(team_ids=[team.pk], days=days)
        return {t.stage: (t.median_days, t.stays) for t in flow.stage_times}

    # 90 days: establishing 20, 10; developing 40, 30, 115; maintaining 30.
    got = medians(90)
    assert got[E] == (pytest.approx(15), 2)
    assert got[D] == (pytest.approx(40), 3)
    assert got[M] == (pytest.approx(30), 1)
    # 30 days: no stay in establishing ended; developing 30 and 115.
    got = medians(30)
    assert got[E] == (None, 0)
    assert got[D] == (pytest.approx(72.5), 2)
    # 365 days: Cy's 80 days in establishing count too.
    assert medians(365)[E] == (pytest.approx(20), 3)


def test_the_medians_come_from_python_so_every_database_agrees(team, moves, now):
    """The same rows, unsaved (no database at all), give the same medians as the page."""
    rows = list(
        StageChange.objects.filter(kol__in=[moves["ada"], moves["bea"], moves["cy"]]).order_by(
            "kol_id", "changed_at", "pk"
        )
    )
    copies = [
        StageChange(
            kol_id=r.kol_id, from_stage=r.from_stage, to_stage=r.to_stage, changed_at=r.changed_at
        )
        for r in rows
    ]
    since = now - datetime.timedelta(days=90)
    stays = median_days_in_stage(copies, since=since)
    assert sorted(round(d) for d in stays[D]) == [30, 40, 115]
    flow = stage_flow(team_ids=[team.pk], days=90, now=now)
    import statistics

    assert {t.stage: t.median_days for t in flow.stage_times} == {
        stage: statistics.median(values) if values else None for stage, values in stays.items()
    }


def test_the_page_shows_counts_medians_and_the_moves_with_reasons(manager_client, moves):
    response = manager_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>4</strong> moved forward, <strong>2</strong> moved back" in page
    assert '<th scope="col">From → to</th>' in page
    assert "15 days" in page and "40 days" in page and "30 days" in page
    # Newest first, with who owns the KOL and why it moved.
    assert page.index("Dr Cy Slow") < page.index("Dr Ada Forward") < page.index("Dr Bea Back")
    assert "Moved to a new hospital" in page and "Stopped answering" in page
    assert "Olivia Owner" in page and "Tom Teammate" in page
    assert reverse("kol:kol_detail", args=[moves["ada"].pk]) in page
    assert page.count("moved back</span>") == 2
    bea_row = page[page.index("Stopped answering") - 600 : page.index("Stopped answering")]
    assert "Developing → Establishing" in bea_row and "moved back" in bea_row
    # The first row of a KOL is not a move; another team's moves never show.
    assert "Old move" not in page and "Dr Hidden Move" not in page
    assert "Outsider reason" not in page


def test_the_period_filter_narrows_counts_and_moves(manager_client, moves):
    page = manager_client.get(URL, {"period": "30"}).content.decode()
    assert "In the last 30 days" in page
    assert "<strong>1</strong> moved forward, <strong>2</strong> moved back" in page
    assert "Quarterly check-ins agreed" not in page and "Moved to a new hospital" in page
    assert "72.5 days" in page and "—" in page
    page = manager_client.get(URL, {"period": "365"}).content.decode()
    assert "Old move" in page


def test_garbage_filters_are_ignored_with_a_notice(manager_client, moves):
    response = manager_client.get(URL, {"period": "7; drop table", "team": "abc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "not understood" in page and "Period" in page and "Team" in page
    assert "In the last 90 days" in page and "Moved to a new hospital" in page
    assert '<option value="90" selected>' in page


def test_a_team_filter_narrows_to_one_managed_team(manager, manager_client, moves):
    team_c = TeamFactory(name="Team C")
    MembershipFactory(team=team_c, user=manager, role=Membership.Role.MANAGER)
    carl = MembershipFactory(team=team_c).user
    kol = KolFactory(name="Dr Team C", owner=carl)
    history(kol, (50, "", E, ""), (3, E, D, "Team C reason"), now=timezone.now())
    page = manager_client.get(URL).content.decode()
    assert "Team C reason" in page and "Moved to a new hospital" in page
    page = manager_client.get(URL, {"team": team_c.pk}).content.decode()
    assert "Team C reason" in page and "Moved to a new hospital" not in page


def test_another_managers_team_is_404(manager_client, other_team, moves):
    assert manager_client.get(URL, {"team": other_team.pk}).status_code == 404


def test_other_manager_never_sees_team_a(other_manager, moves):
    page = client_for(other_manager).get(URL).content.decode()
    assert "Outsider reason" in page and "Moved to a new hospital" not in page


def test_an_msl_gets_404(owner_client, moves):
    assert owner_client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_only_answers_get(manager_client):
    assert manager_client.post(URL).status_code == 405


def test_an_empty_period_says_so(manager_client):
    page = manager_client.get(URL).content.decode()
    assert "No relationship changed stage" in page and "—" in page


@pytest.mark.parametrize("count", [10, 500])
def test_the_query_count_does_not_grow_with_the_kols(
    count, owner, manager_client, django_assert_max_num_queries
):
    now = timezone.now()
    kols = KolFactory.create_batch(count, owner=owner, stage=D)
    StageChange.objects.bulk_create(
        StageChange(
            kol=kol,
            changed_by=owner,
            from_stage=from_stage,
            to_stage=to_stage,
            changed_at=now - datetime.timedelta(days=days_ago),
            reason="Because",
        )
        for kol in kols
        for days_ago, from_stage, to_stage in [(60, "", E), (20, E, D)]
    )
    with django_assert_max_num_queries(9):  # incl. session, user, nav, save
        response = manager_client.get(URL)
    page = response.content.decode()
    assert f"<strong>{count}</strong> moved forward" in page
    assert page.count("Because") == min(count, 200)


def test_other_manager_asking_for_team_a_gets_404(other_manager, team, moves):
    assert client_for(other_manager).get(URL, {"team": team.pk}).status_code == 404
