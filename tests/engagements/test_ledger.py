"""The give and ask ledger on the KOL page: balance, log, edit, delete, who may do what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Collaborator, Kol
from engagements.models import Ask, FollowUp, Give
from tests.conftest import HTMX, client_for
from tests.engagements.factories import AskFactory, FollowUpFactory, GiveFactory
from tests.factories import InterestFactory, MembershipFactory, TopicFactory, UserFactory


def url(name, kol, **kwargs):
    return reverse(f"kol:{name}", kwargs={"pk": kol.pk, **kwargs})


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def give_data(prefix="give", **overrides):
    data = {"kind": "literature", "given_on": days_ago(2).isoformat(), "note": "SGLT2 digest"}
    data |= overrides
    return {f"{prefix}-{key}": value for key, value in data.items()}


def ask_data(prefix="ask", **overrides):
    data = {
        "kind": "advisory_board",
        "in_it_for_kol": "Shapes the trial design",
        "asked_on": days_ago(1).isoformat(),
    }
    data |= overrides
    return {f"{prefix}-{key}": value for key, value in data.items()}


@pytest.fixture
def collaborator(kol):
    user = UserFactory(email="collab@example.test", display_name="Cleo Collaborator")
    MembershipFactory(user=user)  # in a team of their own: someone in no team sees nothing
    Collaborator.objects.create(kol=kol, user=user)
    return user


# What the page shows -------------------------------------------------------------------


def test_it_shows_the_balance_and_the_entries_of_the_last_12_months(owner_client, kol):
    GiveFactory(kol=kol, given_on=days_ago(30), note="Congress overview of ESC")
    GiveFactory(kol=kol, given_on=days_ago(3), note="Monthly digest on HFpEF")
    GiveFactory(kol=kol, given_on=days_ago(400), note="Long ago")
    AskFactory(kol=kol, in_it_for_kol="A seat at the table", outcome="Said yes")

    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "Give and ask, last 12 months: 2 gives, 1 ask" in page

    page = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert page.index("Monthly digest on HFpEF") < page.index("Congress overview of ESC")
    assert "Long ago" not in page
    assert "A seat at the table" in page and "Said yes" in page
    assert "Asks outnumber gives" not in page


def test_it_warns_in_words_when_asks_outnumber_gives(owner_client, kol):
    GiveFactory(kol=kol)
    AskFactory.create_batch(2, kol=kol)

    part = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()

    assert "1 give, 2 asks" in part
    assert (
        "Asks outnumber gives:</strong> give something without expectation before the next ask."
        in part
    )


def test_it_tells_a_give_on_one_of_their_interests(owner_client, kol):
    topic = TopicFactory(name="Cardiorenal")
    InterestFactory(kol=kol, topic=topic)
    GiveFactory(kol=kol, topic=topic, given_on=days_ago(1))
    GiveFactory(kol=kol, topic=TopicFactory(name="Gout"), given_on=days_ago(5))

    part = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()

    assert part.count("One of their interests") == 1
    assert part.index("Cardiorenal") < part.index("One of their interests") < part.index("Gout")


def test_the_topic_select_lists_their_interests_first(owner_client, kol):
    theirs = TopicFactory(name="Hyperkalaemia")
    InterestFactory(kol=kol, topic=theirs)
    TopicFactory(name="Anaemia")

    kol_page = reverse("kol:kol_detail", args=[kol.pk])
    part = owner_client.get(f"{kol_page}?open=give", **HTMX).content.decode()

    assert '<optgroup label="Their interests">' in part
    assert f'name="give-given_on" value="{timezone.localdate().isoformat()}"' in part
    their_group = part.index('<optgroup label="Their interests">')
    others = part.index('<optgroup label="All other topics">')
    assert their_group < part.index("Hyperkalaemia") < others < part.index("Anaemia")
    assert part.count("Hyperkalaemia (") == 1


def test_the_part_needs_the_same_queries_for_many_entries(owner_client, kol):
    def queries_for_the_part() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url("kol_ledger", kol), **HTMX).status_code == 200
        return len(queries)

    GiveFactory(kol=kol, topic=TopicFactory())
    AskFactory(kol=kol)
    few = queries_for_the_part()
    for _ in range(8):
        GiveFactory(kol=kol, topic=TopicFactory(), by=UserFactory())
        AskFactory(kol=kol, by=UserFactory())
    assert queries_for_the_part() == few


# Logging -------------------------------------------------------------------------------


def test_it_logs_a_give_inline_and_resets_the_check_in_clock(owner_client, kol, owner):
    topic = TopicFactory(name="SGLT2 inhibitors")
    check_in = FollowUpFactory(kol=kol, kind=FollowUp.Kind.CHECK_IN, text="Quarterly check-in")
    thank_you = FollowUpFactory(kol=kol, kind=FollowUp.Kind.THANK_YOU)
    elsewhere = FollowUpFactory(kind=FollowUp.Kind.CHECK_IN)

    response = owner_client.post(
        url("give_add", kol), give_data(topic=topic.pk, given_on=days_ago(3).isoformat()), **HTMX
    )

    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="ledger"')
    assert "1 give, 0 asks" in part and "SGLT2 digest" in part and "SGLT2 inhibitors" in part
    give = Give.objects.get()
    assert (give.kol, give.by, give.topic, give.given_on) == (kol, owner, topic, days_ago(3))
    kol.refresh_from_db()
    assert timezone.localdate(kol.last_interaction_at) == days_ago(3)
    assert kol.next_check_in_on == days_ago(3) + datetime.timedelta(days=90)
    check_in.refresh_from_db()
    assert check_in.status == FollowUp.Status.DONE and check_in.done_at is not None
    assert FollowUp.objects.get(pk=thank_you.pk).status == FollowUp.Status.OPEN
    assert FollowUp.objects.get(pk=elsewhere.pk).status == FollowUp.Status.OPEN


def test_a_plain_post_comes_back_to_the_ledger(owner_client, kol):
    response = owner_client.post(url("ask_add", kol), ask_data())

    assert response.status_code == 302
    assert response["Location"] == f"/kols/{kol.pk}/#ledger"
    assert Ask.objects.get().in_it_for_kol == "Shapes the trial design"


def test_a_give_in_the_future_is_refused_with_a_clear_message(owner_client, kol):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = owner_client.post(url("give_add", kol), give_data(given_on=tomorrow), **HTMX)

    assert response.status_code == 422
    part = response.content.decode()
    assert "<html" not in part and part.lstrip().startswith('<section id="ledger"')
    assert "The date of a give cannot be in the future" in part
    assert "<details open" in part and "SGLT2 digest" in part
    assert not Give.objects.exists()

    page = owner_client.post(url("give_add", kol), give_data(given_on=tomorrow))
    assert page.status_code == 422
    assert "<html" in page.content.decode()
    assert "The date of a give cannot be in the future" in page.content.decode()


def test_an_ask_needs_what_is_in_it_for_the_kol(owner_client, kol):
    response = owner_client.post(url("ask_add", kol), ask_data(in_it_for_kol="   "), **HTMX)

    assert response.status_code == 422
    assert "Say what is in it for the KOL" in response.content.decode()
    assert not Ask.objects.exists()


def test_an_ask_in_the_future_is_refused(owner_client, kol):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = owner_client.post(url("ask_add", kol), ask_data(asked_on=tomorrow), **HTMX)
    assert response.status_code == 422
    assert "The date of an ask cannot be in the future" in response.content.decode()


# Editing and deleting ------------------------------------------------------------------


def test_the_edit_form_replaces_the_list_item(owner_client, kol):
    give = GiveFactory(kol=kol, note="Digest")

    part = owner_client.get(url("give_edit", kol, give_pk=give.pk), **HTMX).content.decode()

    assert part.lstrip().startswith(f'<li id="ledger-give-{give.pk}">')
    assert f'name="give{give.pk}-response"' in part and "Save give" in part
    assert f'value="{give.given_on.isoformat()}"' in part  # what a date picker understands
    assert f'href="/kols/{kol.pk}/#ledger"' in part  # Cancel works without JS
    page = owner_client.get(url("give_edit", kol, give_pk=give.pk)).content.decode()
    assert "<html" in page and f'name="give{give.pk}-response"' in page


def test_their_response_is_recorded_later_by_editing(owner_client, kol):
    give = GiveFactory(kol=kol, given_on=days_ago(10))
    prefix = f"give{give.pk}"

    response = owner_client.post(
        url("give_edit", kol, give_pk=give.pk),
        give_data(prefix, given_on=days_ago(5).isoformat(), response="Loved it, wants more"),
        **HTMX,
    )

    assert response.status_code == 200
    assert "Loved it, wants more" in response.content.decode()
    give.refresh_from_db()
    assert give.response == "Loved it, wants more" and give.given_on == days_ago(5)
    kol.refresh_from_db()
    assert timezone.localdate(kol.last_interaction_at) == days_ago(5)


def test_an_invalid_edit_answers_422_with_the_form_in_place(owner_client, kol):
    ask = AskFactory(kol=kol)
    prefix = f"ask{ask.pk}"

    response = owner_client.post(
        url("ask_edit", kol, ask_pk=ask.pk), ask_data(prefix, in_it_for_kol=""), **HTMX
    )

    assert response.status_code == 422
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="ledger"')
    assert f'name="{prefix}-in_it_for_kol"' in part and "Say what is in it for the KOL" in part
    ask.refresh_from_db()
    assert ask.in_it_for_kol == "Shapes the trial design; honorarium at fair market value"


def test_an_ask_outcome_is_recorded_by_editing(owner_client, kol):
    ask = AskFactory(kol=kol)
    response = owner_client.post(
        url("ask_edit", kol, ask_pk=ask.pk), ask_data(f"ask{ask.pk}", outcome="Declined: busy")
    )
    assert response.status_code == 302
    assert Ask.objects.get(pk=ask.pk).outcome == "Declined: busy"


def test_deleting_a_give_recomputes_the_last_interaction(owner_client, kol):
    GiveFactory(kol=kol, given_on=days_ago(20))
    newer = GiveFactory(kol=kol, given_on=days_ago(2))

    response = owner_client.post(url("give_delete", kol, give_pk=newer.pk), **HTMX)

    assert response.status_code == 200
    assert "1 give, 0 asks" in response.content.decode()
    assert not Give.objects.filter(pk=newer.pk).exists()
    kol.refresh_from_db()
    assert timezone.localdate(kol.last_interaction_at) == days_ago(20)


def test_it_deletes_an_ask_after_confirmation(owner_client, kol):
    ask = AskFactory(kol=kol)
    part = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert 'hx-confirm="Delete this ask?"' in part

    response = owner_client.post(url("ask_delete", kol, ask_pk=ask.pk), **HTMX)

    assert response.status_code == 200
    assert not Ask.objects.exists()


# Who may do what -----------------------------------------------------------------------

ROLES = ["anonymous", "teammate", "outsider", "other_manager", "owner", "collaborator", "manager"]

# (url name, method, needs: view | log | entry, kwargs, data)
VIEWS = [
    ("kol_ledger", "get", "view", lambda o: {}, None),
    ("give_add", "post", "log", lambda o: {}, lambda o: give_data()),
    ("ask_add", "post", "log", lambda o: {}, lambda o: ask_data()),
    ("give_edit", "get", "entry", lambda o: {"give_pk": o["give"].pk}, None),
    (
        "give_edit",
        "post",
        "entry",
        lambda o: {"give_pk": o["give"].pk},
        lambda o: give_data(f"give{o['give'].pk}", response="Thanks"),
    ),
    ("give_delete", "post", "entry", lambda o: {"give_pk": o["give"].pk}, lambda o: {}),
    ("ask_edit", "get", "entry", lambda o: {"ask_pk": o["ask"].pk}, None),
    (
        "ask_edit",
        "post",
        "entry",
        lambda o: {"ask_pk": o["ask"].pk},
        lambda o: ask_data(f"ask{o['ask'].pk}", outcome="Yes"),
    ),
    ("ask_delete", "post", "entry", lambda o: {"ask_pk": o["ask"].pk}, lambda o: {}),
]


@pytest.fixture
def objects(kol, owner, teammate, outsider, manager, other_manager, collaborator):
    return {
        "kol": kol,
        # Logged by the owner: the collaborator may not change them.
        "give": GiveFactory(kol=kol),
        "ask": AskFactory(kol=kol),
        "users": {
            "anonymous": None,
            "teammate": teammate,
            "outsider": outsider,
            "other_manager": other_manager,
            "owner": owner,
            "collaborator": collaborator,
            "manager": manager,
        },
    }


def allowed(role: str, needs: str) -> bool:
    return {
        "owner": True,
        "collaborator": needs in {"view", "log"},
        "manager": needs == "view",
    }.get(role, False)


def _ids(view):
    return f"{view[0]}:{view[1]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", VIEWS, ids=[_ids(v) for v in VIEWS])
def test_it_enforces_the_role_table(objects, view, role):
    name, method, needs, kwargs, data = view
    client = client_for(objects["users"][role])
    target = url(name, objects["kol"], **kwargs(objects))
    counts = (Give.objects.count(), Ask.objects.count())

    response = client.post(target, data(objects)) if method == "post" else client.get(target)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in {"teammate", "outsider", "other_manager"}:
        assert response.status_code == 404
    elif allowed(role, needs):
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 403
        assert b"Only" in response.content
    if not (allowed(role, needs) and method == "post"):
        assert (Give.objects.count(), Ask.objects.count()) == counts


@pytest.mark.parametrize("view", VIEWS, ids=[_ids(v) for v in VIEWS])
def test_it_refuses_the_wrong_method(objects, view):
    name, method, _needs, kwargs, _data = view
    client = client_for(objects["users"]["owner"])
    target = url(name, objects["kol"], **kwargs(objects))
    if name.endswith("_edit"):
        response = client.delete(target)
    elif method == "get":
        response = client.post(target)
    else:
        response = client.get(target)
    assert response.status_code == 405


def test_a_collaborator_logs_and_changes_their_own_entries(kol, collaborator):
    client = client_for(collaborator)
    client.post(url("give_add", kol), give_data(note="From Cleo"))
    give = Give.objects.get()
    assert give.by == collaborator

    part = client.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert f'href="{url("give_edit", kol, give_pk=give.pk)}"' in part

    response = client.post(url("give_delete", kol, give_pk=give.pk), **HTMX)
    assert response.status_code == 200
    assert not Give.objects.exists()


def test_the_owner_may_change_an_entry_a_collaborator_logged(owner_client, kol, collaborator):
    ask = AskFactory(kol=kol, by=collaborator)
    response = owner_client.post(url("ask_delete", kol, ask_pk=ask.pk))
    assert response.status_code == 302
    assert not Ask.objects.exists()


def test_edit_links_show_only_to_who_may_use_them(objects):
    kol, give = objects["kol"], objects["give"]
    edit = f'href="{url("give_edit", kol, give_pk=give.pk)}"'

    as_collaborator = client_for(objects["users"]["collaborator"])
    part = as_collaborator.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert edit not in part and "Log a give" in part

    as_manager = client_for(objects["users"]["manager"])
    part = as_manager.get(url("kol_ledger", kol), **HTMX).content.decode()
    assert edit not in part and "Log a give" not in part and "Log an ask" not in part


def test_an_entry_of_another_kol_is_404(owner_client, kol, owner):
    other = Kol.objects.create(name="Dr Other", owner=owner)
    give = GiveFactory(kol=other)
    ask = AskFactory(kol=other)
    assert owner_client.post(url("give_delete", kol, give_pk=give.pk)).status_code == 404
    assert owner_client.get(url("ask_edit", kol, ask_pk=ask.pk)).status_code == 404
    assert Give.objects.filter(pk=give.pk).exists() and Ask.objects.filter(pk=ask.pk).exists()


def test_it_answers_htmx_with_the_part_and_browsers_with_the_page(owner_client, kol):
    part = owner_client.get(url("kol_ledger", kol), **HTMX).content.decode()
    page = owner_client.get(url("kol_ledger", kol)).content.decode()
    assert part.lstrip().startswith('<section id="ledger"') and "<html" not in part
    assert 'id="ledger"' in page and "<html" in page and "Dr Ada Lovelace" in page
