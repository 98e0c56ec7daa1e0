import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Collaborator, Stage
from tests.conftest import HTMX
from tests.engagements.factories import AskFactory, GiveFactory
from tests.factories import KolFactory, TherapeuticAreaFactory

URL = reverse("contacts:kol_list")


def test_it_lists_only_what_the_user_may_see(owner_client, kol, outsider):
    KolFactory(name="Dr Hidden Person", owner=outsider)
    page = owner_client.get(URL).content.decode()
    assert "Dr Ada Lovelace" in page and "Dr Hidden Person" not in page
    assert "1 KOL" in page


def test_it_shows_collaborations_and_the_managers_team(
    teammate_client, manager_client, kol, teammate
):
    assert "Dr Ada Lovelace" not in teammate_client.get(URL).content.decode()
    Collaborator.objects.create(kol=kol, user=teammate)
    assert "Dr Ada Lovelace" in teammate_client.get(URL).content.decode()
    page = manager_client.get(URL).content.decode()
    assert "Dr Ada Lovelace" in page and "Owner" in page


def test_it_searches_name_institution_and_specialty(owner_client, owner):
    KolFactory(name="Dr Grace Hopper", institution="Yale", specialty="Nephrology", owner=owner)
    KolFactory(name="Dr Alan Turing", institution="Manchester", specialty="Cardiology", owner=owner)
    for query, expected in [
        ("grace", "Hopper"),
        ("yale", "Hopper"),
        ("nephro", "Hopper"),
        ("manchester cardio", "Turing"),
    ]:
        page = owner_client.get(URL, {"q": query}).content.decode()
        assert expected in page, query
        other = "Turing" if expected == "Hopper" else "Hopper"
        assert other not in page, query


def test_it_filters_by_stage_and_area_and_sorts(owner_client, owner):
    cardio = TherapeuticAreaFactory(name="Cardiology")
    a = KolFactory(name="Dr A", owner=owner, stage=Stage.MAINTAINING)
    a.therapeutic_areas.add(cardio)
    KolFactory(name="Dr B", owner=owner, stage=Stage.ESTABLISHING)
    KolFactory(name="Dr C", owner=owner, stage=Stage.DEVELOPING)
    page = owner_client.get(URL, {"stage": "maintaining"}).content.decode()
    assert "Dr A" in page and "Dr B" not in page
    page = owner_client.get(URL, {"area": cardio.pk}).content.decode()
    assert "Dr A" in page and "Dr C" not in page
    page = owner_client.get(URL, {"sort": "stage"}).content.decode()
    assert page.index("Dr B") < page.index("Dr C") < page.index("Dr A")
    page = owner_client.get(URL, {"sort": "-name"}).content.decode()
    assert page.index("Dr C") < page.index("Dr B") < page.index("Dr A")


def test_a_manager_filters_by_owner(manager_client, kol, teammate):
    KolFactory(name="Dr Teammate Kol", owner=teammate)
    page = manager_client.get(URL, {"owner": teammate.pk}).content.decode()
    assert "Dr Teammate Kol" in page and "Dr Ada Lovelace" not in page


def test_bad_filter_values_are_ignored_with_a_message(owner_client, kol):
    response = owner_client.get(URL, {"stage": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert "not understood" in response.content.decode()


def test_it_pages_by_fifty(owner_client, owner):
    KolFactory.create_batch(51, owner=owner)
    first = owner_client.get(URL).content.decode()
    assert "page 1 of 2" in first and "Next" in first
    second = owner_client.get(URL, {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 1


def test_htmx_gets_only_the_results(owner_client, kol):
    part = owner_client.get(URL, {"q": "ada"}, **HTMX).content.decode()
    assert part.lstrip().startswith('<section id="results"')
    assert "Dr Ada Lovelace" in part and "<form" not in part


def test_archived_kols_have_their_own_list(owner_client, owner):
    KolFactory(name="Dr Archived", owner=owner, is_archived=True)
    assert "Dr Archived" not in owner_client.get(URL).content.decode()
    page = owner_client.get(reverse("contacts:kol_archived_list")).content.decode()
    assert "Dr Archived" in page


def test_the_last_touchpoint_is_blank_until_touchpoints_exist(owner_client, kol):
    page = owner_client.get(URL).content.decode()
    row = page[page.index("Dr Ada Lovelace") :]
    row = row[: row.index("</tr>")]
    assert row.count("<time") == 1  # only the next check-in


@pytest.mark.parametrize("count", [5, 200])
def test_the_query_count_does_not_grow_with_the_kols(
    count, owner, manager, client, django_assert_max_num_queries
):
    for kol in KolFactory.create_batch(count, owner=owner):
        kol.therapeutic_areas.add(TherapeuticAreaFactory(name="Cardiology"))
    for user in (owner, manager):
        client.force_login(user)
        with django_assert_max_num_queries(9):  # incl. session, user, save
            response = client.get(URL)
        assert response.status_code == 200
        assert response.content.decode().count('<th scope="row">') == min(count, 50)


def test_a_history_restore_gets_the_whole_page(owner_client, kol):
    response = owner_client.get(URL, {"q": "ada"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_it_filters_check_ins_due_and_overdue(owner_client, owner):
    today = timezone.localdate()
    KolFactory(name="Dr Overdue", owner=owner, next_check_in_on=today - datetime.timedelta(days=3))
    KolFactory(name="Dr Soon", owner=owner, next_check_in_on=today + datetime.timedelta(days=5))
    KolFactory(name="Dr Later", owner=owner, next_check_in_on=today + datetime.timedelta(days=40))
    due = owner_client.get(URL, {"check_in": "due"}).content.decode()
    assert "Dr Overdue" in due and "Dr Soon" in due and "Dr Later" not in due
    overdue = owner_client.get(URL, {"check_in": "overdue"}).content.decode()
    assert "Dr Overdue" in overdue and "Dr Soon" not in overdue
    by_date = owner_client.get(URL, {"sort": "next_check_in"}).content.decode()
    assert by_date.index("Dr Overdue") < by_date.index("Dr Soon") < by_date.index("Dr Later")


def test_it_filters_ask_heavy_relationships(owner_client, owner):
    heavy = KolFactory(name="Dr Heavy", owner=owner)
    balanced = KolFactory(name="Dr Balanced", owner=owner)
    AskFactory.create_batch(2, kol=heavy)
    GiveFactory(kol=heavy)
    AskFactory(kol=balanced)
    GiveFactory.create_batch(2, kol=balanced)
    page = owner_client.get(URL, {"ask_heavy": "on"}).content.decode()
    assert "Dr Heavy" in page and "Dr Balanced" not in page
