"""Opportunities: the list, create, edit, detail pages and who each one could suit."""

import datetime

import factory
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import AssumptionStatus, Collaborator, Interest, Provenance
from events.models import Opportunity
from tests.conftest import client_for
from tests.factories import InterestFactory, KolFactory, TopicFactory, UserFactory

LIST_URL = reverse("events:opportunity_list")
CREATE_URL = reverse("events:opportunity_create")
TODAY = timezone.localdate()
Kind = Interest.Kind


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    kind = Opportunity.Kind.SPEAKING
    title = factory.Sequence(lambda n: f"Opportunity {n}")
    deadline = factory.LazyFunction(lambda: days(30))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)


def detail_url(opportunity: Opportunity) -> str:
    return reverse("events:opportunity_detail", args=[opportunity.pk])


def edit_url(opportunity: Opportunity) -> str:
    return reverse("events:opportunity_edit", args=[opportunity.pk])


def form_data(**overrides) -> dict:
    data = {
        "kind": "speaking",
        "title": "Speaker at the regional HF school",
        "description": "A 30-minute talk for cardiology fellows.",
        "deadline": days(30).isoformat(),
    }
    return data | overrides


def interest(kol, kind, topic=None, provenance=Provenance.STATED, status="") -> Interest:
    return InterestFactory(
        kol=kol, kind=kind, topic=topic, provenance=provenance, assumption_status=status
    )


# The list ------------------------------------------------------------------------------


def test_it_lists_open_opportunities_first_then_past_ones(owner_client, manager_client):
    OpportunityFactory(title="Past Panel", deadline=days(-3))
    OpportunityFactory(title="Open Ended Board", deadline=None)
    OpportunityFactory(title="Later Talk", deadline=days(20))
    OpportunityFactory(title="Due Today Paper", deadline=TODAY)
    for client in (owner_client, manager_client):
        response = client.get(LIST_URL)
        assert response.status_code == 200
        page = response.content.decode()
        order = ["Due Today Paper", "Later Talk", "Open Ended Board", "Deadline passed", "Past"]
        positions = [page.index(text) for text in order]
        assert positions == sorted(positions)


def test_anonymous_users_are_sent_to_the_login_page(db):
    opportunity = OpportunityFactory()
    for url in (LIST_URL, CREATE_URL, detail_url(opportunity), edit_url(opportunity)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_wrong_method_gets_405(owner_client, owner):
    opportunity = OpportunityFactory(created_by=owner)
    assert owner_client.post(LIST_URL).status_code == 405
    assert owner_client.post(detail_url(opportunity)).status_code == 405
    assert owner_client.put(CREATE_URL).status_code == 405
    assert owner_client.delete(edit_url(opportunity)).status_code == 405


# Create and edit -----------------------------------------------------------------------


def test_anyone_signed_in_adds_an_opportunity(owner_client, manager_client, owner):
    assert manager_client.get(CREATE_URL).status_code == 200
    page = owner_client.get(CREATE_URL).content.decode()
    assert '<label for="id_deadline">' in page
    assert "<legend" in page  # topics are a group of checkboxes, named by a legend
    topic = TopicFactory(name="Heart failure")
    response = owner_client.post(CREATE_URL, form_data(topics=[topic.pk]))
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(opportunity)
    assert (opportunity.title, opportunity.kind, opportunity.deadline, opportunity.created_by) == (
        "Speaker at the regional HF school",
        "speaking",
        days(30),
        owner,
    )
    assert list(opportunity.topics.all()) == [topic]


def test_no_deadline_is_fine(owner_client):
    assert owner_client.post(CREATE_URL, form_data(deadline="")).status_code == 302
    assert Opportunity.objects.get().deadline is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"deadline": days(-1).isoformat()}, "The deadline has already passed"),
        ({"title": "   "}, "Give the opportunity a title."),
        ({"kind": ""}, "Say what kind of opportunity it is."),
    ],
)
def test_an_invalid_opportunity_is_refused_with_a_message_and_nothing_saved(
    owner_client, overrides, message
):
    response = owner_client.post(CREATE_URL, form_data(**overrides))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    assert not Opportunity.objects.exists()


def test_the_creator_edits_and_may_keep_a_passed_deadline(owner_client, owner):
    opportunity = OpportunityFactory(created_by=owner, title="Old", deadline=days(-10))
    assert "Edit Old" in owner_client.get(edit_url(opportunity)).content.decode()
    data = form_data(title="Old, renamed", deadline=days(-10).isoformat())
    assert owner_client.post(edit_url(opportunity), data).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Old, renamed"

    response = owner_client.post(edit_url(opportunity), form_data(deadline=days(-2).isoformat()))
    assert response.status_code == 422
    assert "The deadline has already passed" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.deadline == days(-10)


def test_someone_else_may_not_edit_but_staff_may(teammate_client, manager_client, owner):
    opportunity = OpportunityFactory(created_by=owner, title="Mine")
    for client in (teammate_client, manager_client):
        response = client.get(edit_url(opportunity))
        assert response.status_code == 403
        assert "Only the person who added this opportunity" in response.content.decode()
        assert client.post(edit_url(opportunity), form_data(title="Theirs")).status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.title == "Mine"

    staff = client_for(UserFactory(email="admin@example.test", is_staff=True))
    assert staff.post(edit_url(opportunity), form_data(title="Fixed")).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Fixed"


def test_an_unknown_opportunity_is_404(owner_client):
    url = reverse("events:opportunity_detail", args=[999])
    assert owner_client.get(url).status_code == 404


# Who it could suit ---------------------------------------------------------------------


def matches_section(client, opportunity) -> str:
    response = client.get(detail_url(opportunity))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("Who it could suit") :]


def test_it_suggests_kols_whose_stated_interest_fits_kind_and_topic(
    owner_client, owner, outsider, teammate
):
    hf = TopicFactory(name="Heart failure")
    onc = TopicFactory(name="Oncology")
    names = {
        "Dr Speaks On HF": [(Kind.SPEAKING, hf, Provenance.STATED, "")],
        "Dr Confirmed Speaker": [
            (Kind.SPEAKING, hf, Provenance.ASSUMED, AssumptionStatus.CONFIRMED)
        ],
        "Dr Assumed Speaker": [(Kind.SPEAKING, hf, Provenance.ASSUMED, AssumptionStatus.OPEN)],
        "Dr Refuted Speaker": [(Kind.SPEAKING, hf, Provenance.ASSUMED, AssumptionStatus.REFUTED)],
        "Dr Speaks On Onc": [(Kind.SPEAKING, onc, Provenance.STATED, "")],
        "Dr Writes On HF": [(Kind.PUBLICATIONS, hf, Provenance.STATED, "")],
        "Dr Speaks Generally": [(Kind.SPEAKING, None, Provenance.STATED, "")],
    }
    for name, interests in names.items():
        kol = KolFactory(name=name, owner=owner)
        for kind, topic, provenance, status in interests:
            interest(kol, kind, topic, provenance, status)
    archived = KolFactory(name="Dr Archived Speaker", owner=owner, is_archived=True)
    interest(archived, Kind.SPEAKING, hf)
    not_mine = KolFactory(name="Dr Not Mine", owner=outsider)
    interest(not_mine, Kind.SPEAKING, hf)
    shared = KolFactory(name="Dr Shared Speaker", owner=teammate)
    interest(shared, Kind.SPEAKING, hf)
    Collaborator.objects.create(kol=shared, user=owner)
    opportunity = OpportunityFactory(kind=Opportunity.Kind.SPEAKING, topics=[hf])

    section = matches_section(owner_client, opportunity)

    for name in ("Dr Speaks On HF", "Dr Confirmed Speaker", "Dr Shared Speaker"):
        assert name in section, name
    for name in (
        "Dr Assumed Speaker",
        "Dr Refuted Speaker",
        "Dr Speaks On Onc",
        "Dr Writes On HF",
        "Dr Speaks Generally",
        "Dr Archived Speaker",
        "Dr Not Mine",
    ):
        assert name not in section, name
    assert "nothing is offered automatically" in section
    assert "Opportunity offered: talk" in section
    kol = owner.owned_kols.get(name="Dr Speaks On HF")
    assert (
        f'href="{reverse("kol:kol_detail", args=[kol.pk])}?give_kind=opportunity_talk#ledger"'
        in section
    )


@pytest.mark.parametrize(
    "opportunity_kind, fitting, not_fitting",
    [
        ("speaking", [Kind.SPEAKING], [Kind.PUBLICATIONS, Kind.EDUCATION]),
        ("publication", [Kind.PUBLICATIONS, Kind.CONTENT], [Kind.SPEAKING, Kind.RESEARCH]),
        ("advisory", [Kind.ADVISORY], [Kind.SPEAKING, Kind.DIGITAL]),
        ("study", [Kind.RESEARCH, Kind.CLINICAL_TRIALS], [Kind.ADVISORY, Kind.DISEASE_AREA]),
    ],
)
def test_without_topics_the_kind_alone_decides(
    owner_client, owner, opportunity_kind, fitting, not_fitting
):
    for kind in fitting + not_fitting:
        interest(KolFactory(name=f"Dr Likes {kind}", owner=owner), kind, TopicFactory())
    opportunity = OpportunityFactory(kind=opportunity_kind)

    section = matches_section(owner_client, opportunity)

    for kind in fitting:
        assert f"Dr Likes {kind}" in section, kind
    for kind in not_fitting:
        assert f"Dr Likes {kind}" not in section, kind


def test_the_manager_sees_matches_across_the_team(manager_client, owner, outsider):
    interest(KolFactory(name="Dr Team Speaker", owner=owner), Kind.SPEAKING)
    interest(KolFactory(name="Dr Other Team", owner=outsider), Kind.SPEAKING)
    section = matches_section(manager_client, OpportunityFactory(kind="speaking"))
    assert "Dr Team Speaker" in section and "Dr Other Team" not in section


@pytest.mark.parametrize("count", [5, 50])
def test_the_detail_query_count_does_not_grow_with_the_kols(
    count, owner, client, django_assert_max_num_queries
):
    hf = TopicFactory(name="Heart failure")
    for kol in KolFactory.create_batch(count, owner=owner):
        interest(kol, Kind.SPEAKING, hf)
        interest(kol, Kind.SPEAKING, TopicFactory())
    opportunity = OpportunityFactory(kind="speaking", topics=[hf])
    client.force_login(owner)
    with django_assert_max_num_queries(10):  # incl. session, user, nav role
        response = client.get(detail_url(opportunity))
    assert response.content.decode().count('id="match-') == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_query_count_does_not_grow(count, owner, client, django_assert_max_num_queries):
    hf = TopicFactory(name="Heart failure")
    for n in range(count):
        OpportunityFactory(topics=[hf], deadline=days(n - count // 2))
    client.force_login(owner)
    with django_assert_max_num_queries(9):  # incl. session, user, nav role
        response = client.get(LIST_URL)
    assert response.content.decode().count('id="opportunity-') == count
