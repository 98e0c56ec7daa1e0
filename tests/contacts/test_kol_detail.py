"""The KOL page, person first, and its inline parts (htmx and plain posts)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.models import AssumptionStatus, Collaborator, Goal, Interest, Stage
from tests.conftest import HTMX, client_for
from tests.factories import GoalFactory, InterestFactory, TopicFactory


def url(name, kol, **kwargs):
    # The page and its parts are kolpage's URLs; editing the profile is contacts'.
    namespace = "contacts" if name == "kol_edit" else "kol"
    return reverse(f"{namespace}:{name}", kwargs={"pk": kol.pk, **kwargs})


def test_it_leads_with_the_person(owner_client, kol):
    kol.from_where = "Lagos"
    kol.trained_at = "Johns Hopkins"
    kol.passions = "Marathons"
    kol.save()
    GoalFactory(kol=kol, text="Run a registry of HFpEF patients")
    GoalFactory(kol=kol, whose=Goal.Whose.OURS, text="Understand gaps", in_it_for_kol="A talk")
    InterestFactory(kol=kol, topic=TopicFactory(name="SGLT2 inhibitors"))
    page = owner_client.get(url("kol_detail", kol)).content.decode()
    order = [
        "Lagos",
        "Johns Hopkins",
        "Marathons",
        "Their goals",
        "Run a registry",
        "Their interests",
        "SGLT2 inhibitors",
        "Our goals",
        "In it for them",
        "Stage:",
        "History",
    ]
    start = page.index('id="person"')  # after the section menu, whose links name the sections
    positions = [page.index(text, start) for text in order]
    assert positions == sorted(positions)


def test_stated_and_assumed_interests_are_told_apart(owner_client, kol):
    InterestFactory(kol=kol, topic=TopicFactory(name="Told us"))
    InterestFactory(
        kol=kol,
        topic=TopicFactory(name="We guess"),
        provenance="assumed",
        assumption_status=AssumptionStatus.OPEN,
    )
    page = owner_client.get(url("kol_detail", kol)).content.decode()
    told, assumed = page.index("What they told us"), page.index("What we assume")
    assert told < page.index("Told us</") < assumed < page.index("We guess")
    assert "Confirm or refute" in page
    assert "provenance-assumed" in page and ">Assumed<" in page


def test_it_adds_an_interest_inline(owner_client, kol):
    topic = TopicFactory(name="Hyperkalaemia")
    response = owner_client.post(
        url("interest_add", kol),
        {
            "kind": "research",
            "topic": topic.pk,
            "provenance": "stated",
            "stated_on": "2026-11-02",
            "note": "Wants to run an IIS",
        },
        **HTMX,
    )
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="interests"')
    assert "Hyperkalaemia" in part and "Stated 2 Nov 2026" in part
    assert kol.interests.get().note == "Wants to run an IIS"


def test_an_invalid_interest_answers_422_with_the_errors_and_saves_nothing(owner_client, kol):
    response = owner_client.post(
        url("interest_add", kol),
        {
            "kind": "disease_area",
            "provenance": "stated",
            "new_topic_name": "Gout",
        },
        **HTMX,
    )
    assert response.status_code == 422
    part = response.content.decode()
    assert "Name the disease area" not in part or "<html" not in part
    assert "Pick the therapeutic area" in part
    assert "<details open" in part and 'value="Gout"' in part
    assert not kol.interests.exists()

    page = owner_client.post(
        url("interest_add", kol), {"kind": "disease_area", "provenance": "stated"}
    )
    assert page.status_code == 422
    assert "<html" in page.content.decode() and "Name the disease area" in page.content.decode()


def test_a_plain_post_comes_back_to_the_page(owner_client, kol):
    response = owner_client.post(
        url("interest_add", kol), {"kind": "speaking", "provenance": "assumed"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/kols/{kol.pk}/#interests"
    assert kol.interests.get().assumption_status == AssumptionStatus.OPEN


def test_an_assumption_is_confirmed_from_the_edit_form(owner_client, kol):
    interest = InterestFactory(kol=kol, provenance="assumed", assumption_status="open")
    form = owner_client.get(url("interest_edit", kol, interest_pk=interest.pk), **HTMX)
    assert f'name="interest{interest.pk}-assumption_status"' in form.content.decode()
    prefix = f"interest{interest.pk}-"
    response = owner_client.post(
        url("interest_edit", kol, interest_pk=interest.pk),
        {
            prefix + "kind": interest.kind,
            prefix + "topic": interest.topic_id,
            prefix + "provenance": "assumed",
            prefix + "assumption_status": "confirmed",
        },
        **HTMX,
    )
    assert response.status_code == 200
    interest.refresh_from_db()
    assert interest.counts_as_stated and interest.stated_on is not None
    assert "Assumed, confirmed" in response.content.decode()


def test_it_removes_an_interest(owner_client, kol):
    interest = InterestFactory(kol=kol)
    response = owner_client.post(url("interest_delete", kol, interest_pk=interest.pk), **HTMX)
    assert response.status_code == 200
    assert not Interest.objects.filter(pk=interest.pk).exists()


def test_our_goal_needs_what_is_in_it_for_the_kol(owner_client, kol):
    data = {
        "ourgoal-whose": "ours",
        "ourgoal-area": "medical",
        "ourgoal-status": "open",
        "ourgoal-text": "Learn about unmet needs",
    }
    response = owner_client.post(url("goal_add", kol, whose="ours"), data, **HTMX)
    assert response.status_code == 422
    assert "Say what is in it for the KOL" in response.content.decode()
    assert not kol.goals.exists()
    response = owner_client.post(
        url("goal_add", kol, whose="ours"),
        data | {"ourgoal-in_it_for_kol": "Co-authorship"},
        **HTMX,
    )
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="our_goals"') and "Co-authorship" in part


def test_their_goal_is_added_with_its_provenance_and_edited(owner_client, kol):
    response = owner_client.post(
        url("goal_add", kol, whose="kol"),
        {
            "kolgoal-whose": "kol",
            "kolgoal-area": "professional",
            "kolgoal-status": "open",
            "kolgoal-text": "Become a PI",
            "kolgoal-provenance": "assumed",
        },
        **HTMX,
    )
    assert response.status_code == 200
    goal = kol.goals.get()
    assert (goal.whose, goal.provenance, goal.assumption_status) == ("kol", "assumed", "open")
    prefix = f"goal{goal.pk}-"
    response = owner_client.post(
        url("goal_edit", kol, goal_pk=goal.pk),
        {
            prefix + "whose": "kol",
            prefix + "area": "professional",
            prefix + "status": "progressing",
            prefix + "text": "Become a PI on a phase III trial",
            prefix + "provenance": "stated",
            prefix + "stated_on": "2026-11-20",
        },
        **HTMX,
    )
    assert response.status_code == 200
    goal.refresh_from_db()
    assert (goal.status, goal.provenance, str(goal.stated_on)) == (
        "progressing",
        "stated",
        "2026-11-20",
    )


def test_the_stage_changes_inline_with_history_and_badge(owner_client, kol, owner):
    response = owner_client.post(
        url("kol_stage_change", kol),
        {
            "to_stage": "developing",
            "reason": "Asked for our HFpEF data",
            "version": kol.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="stage"')
    assert 'id="stage-badge" hx-swap-oob="true"' in part
    assert "Asked for our HFpEF data" in part and "Establishing → <strong>Developing" in part
    kol.refresh_from_db()
    assert kol.stage == Stage.DEVELOPING


def test_stage_changes_show_in_the_stage_panel_and_the_timeline_from_one_query(
    owner_client, kol, owner
):
    services.kol_change_stage(
        kol=kol,
        by=owner,
        to_stage=Stage.DEVELOPING,
        reason="Keen on data",
        expected_version=kol.version,
    )
    with CaptureQueriesContext(connection) as captured:
        page = owner_client.get(url("kol_detail", kol)).content.decode()
    stage_panel = page[page.index('<section id="stage"') :]
    timeline = page[page.index('<section id="timeline"') : page.index('<section id="stage"')]
    assert "Keen on data" in stage_panel and "Keen on data" in timeline
    assert "Relationship recorded" in timeline  # the first one, from when the KOL was added
    stage_queries = [q for q in captured if 'FROM "contacts_stagechange"' in q["sql"]]
    assert len(stage_queries) == 1


def test_moving_back_without_a_reason_is_refused_inline(owner_client, kol):
    kol.stage = Stage.MAINTAINING
    kol.save()
    response = owner_client.post(
        url("kol_stage_change", kol),
        {"to_stage": "establishing", "reason": "", "version": kol.version},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Say why the relationship moves back a stage" in response.content.decode()
    kol.refresh_from_db()
    assert kol.stage == Stage.MAINTAINING and kol.stage_changes.count() == 1


def test_a_stale_stage_change_is_a_conflict(owner_client, kol):
    loaded = kol.version
    owner_client.post(url("kol_stage_change", kol), {"to_stage": "developing", "version": loaded})
    response = owner_client.post(
        url("kol_stage_change", kol), {"to_stage": "maintaining", "version": loaded}, **HTMX
    )
    assert response.status_code == 409
    assert "Someone else changed this KOL" in response.content.decode()
    kol.refresh_from_db()
    assert kol.stage == Stage.DEVELOPING


def test_collaborators_are_added_and_removed(owner_client, kol, teammate):
    response = owner_client.post(
        url("collaborator_add", kol), {"user": teammate.pk, "role": "msl"}, **HTMX
    )
    assert response.status_code == 200
    assert "Tom Teammate" in response.content.decode()
    collaboration = Collaborator.objects.get(kol=kol)
    again = owner_client.post(
        url("collaborator_add", kol), {"user": teammate.pk, "role": "msl"}, **HTMX
    )
    assert again.status_code == 422
    response = owner_client.post(
        url("collaborator_remove", kol, collaborator_pk=collaboration.pk), **HTMX
    )
    assert response.status_code == 200
    assert not Collaborator.objects.exists()


def test_a_manager_sees_the_page_read_only(manager_client, kol):
    page = manager_client.get(url("kol_detail", kol)).content.decode()
    assert "Dr Ada Lovelace" in page
    assert "Change stage" not in page and "Edit profile" not in page
    assert "Add an interest" not in page


def test_times_show_in_the_users_own_time_zone(owner_client, kol, owner):
    import datetime

    kol.stage_changes.update(changed_at=datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))
    owner.time_zone = "America/New_York"
    owner.save()
    page = owner_client.get(url("kol_detail", kol)).content.decode()
    assert "1 Jul 2026, 08:00" in page


def test_an_overdue_check_in_says_so_in_words(owner_client, kol):
    import datetime

    from django.utils import timezone

    from contacts.services import kol_refresh_check_in

    assert "Overdue" not in owner_client.get(url("kol_detail", kol)).content.decode()
    kol.created_at = timezone.now() - datetime.timedelta(days=kol.cadence_days + 1)
    kol.save()
    kol_refresh_check_in(kol=kol)
    assert ">Overdue</span>" in owner_client.get(url("kol_detail", kol)).content.decode()
    assert ">Overdue</span>" in owner_client.get(reverse("contacts:kol_list")).content.decode()


def test_every_change_is_in_the_history_panel(owner_client, kol, owner, manager_client):
    from contacts.models import AuditEntry

    owner_client.post(
        url("kol_edit", kol), {"name": "Dr Ada King", "cadence_days": 60, "version": kol.version}
    )
    owner_client.post(url("interest_add", kol), {"kind": "speaking", "provenance": "assumed"})
    interest = kol.interests.get()
    owner_client.post(url("interest_delete", kol, interest_pk=interest.pk))
    owner_client.post(url("kol_stage_change", kol), {"to_stage": "developing", "version": 2})
    entries = list(AuditEntry.objects.filter(kol=kol).order_by("pk"))
    assert [(e.action, e.subject) for e in entries] == [
        ("created", "KOL profile"),
        ("changed", "KOL profile"),
        ("created", "interest"),
        ("deleted", "interest"),
        ("changed", "stage"),
    ]
    assert entries[1].changes["name"] == ["Dr Ada Lovelace", "Dr Ada King"]
    assert entries[1].actor == owner
    page = manager_client.get(url("kol_detail", kol), {"open": "history"}).content.decode()
    history = page[page.index('id="history"') :]
    assert "Olivia Owner changed KOL profile" in history and "Dr Ada King" in history
    assert "deleted interest" in history


def test_the_history_is_read_when_it_is_opened(owner_client, kol, manager_client, outsider):
    kol_url = url("kol_detail", kol)
    owner_client.post(
        url("kol_edit", kol), {"name": "Dr Ada King", "cadence_days": 60, "version": kol.version}
    )
    # Collapsed on the page: no entries, only what fetches them.
    page = owner_client.get(kol_url).content.decode()
    history = page[page.index('<section id="history"') :]
    assert "changed KOL profile" not in history
    assert f'hx-get="{kol_url}?open=history" hx-trigger="toggle once"' in history
    assert f'href="{kol_url}?open=history#history"' in history

    # htmx, when the panel opens: the entries alone, for whoever may see the KOL.
    for client in (owner_client, manager_client):
        part = client.get(kol_url, {"open": "history"}, **HTMX).content.decode()
        assert part.lstrip().startswith('<ol class="history audit">')
        assert "Olivia Owner changed KOL profile" in part and "<h1" not in part
    assert client_for(outsider).get(kol_url, {"open": "history"}, **HTMX).status_code == 404

    # Without JavaScript, the link opens the page with the History open.
    page = owner_client.get(kol_url, {"open": "history"}).content.decode()
    history = page[page.index('<section id="history"') :]
    assert "<details open>" in history and "Olivia Owner changed KOL profile" in history


def test_an_edited_goal_records_what_changed(owner_client, kol):
    from contacts.models import AuditEntry

    goal = GoalFactory(kol=kol, text="Become a PI")
    prefix = f"goal{goal.pk}-"
    owner_client.post(
        url("goal_edit", kol, goal_pk=goal.pk),
        {
            prefix + "whose": "kol",
            prefix + "area": "professional",
            prefix + "status": "achieved",
            prefix + "text": "Become a PI",
            prefix + "provenance": "stated",
        },
    )
    entry = AuditEntry.objects.get(subject="goal", action="changed")
    assert entry.changes["status"] == ["Open", "Achieved"]


def test_a_stated_interest_can_ask_for_monthly_literature(owner_client, kol):
    topic = TopicFactory(name="Hyperkalaemia")
    owner_client.post(
        url("interest_add", kol),
        {"kind": "research", "topic": topic.pk, "provenance": "stated", "give_cadence_days": 30},
    )
    assert kol.interests.get().give_cadence_days == 30
    page = owner_client.get(url("kol_detail", kol)).content.decode()
    assert "Literature summary: monthly" in page


# The collapsed add-forms are built when opened --------------------------------------

LAZY_FORMS = {
    # ?open=name: what the form posts to, and a field only that form has
    "interest": ("interests/add/", 'name="note"'),
    "kolgoal": ("goals/kol/add/", 'name="kolgoal-text"'),
    "oursgoal": ("goals/ours/add/", 'name="ourgoal-text"'),
    "collaborator": ("collaborators/add/", 'name="role"'),
    "followup": ("followups/add/", 'name="followup-due_on"'),
    "touchpoint": ("touchpoints/", 'name="form_token"'),
    "give": ("gives/add/", 'name="give-given_on"'),
    "ask": ("asks/add/", 'name="ask-in_it_for_kol"'),
}


def test_the_page_holds_no_add_form_only_what_fetches_it(owner_client, kol):
    page = owner_client.get(url("kol_detail", kol)).content.decode()

    for name, (action, field) in LAZY_FORMS.items():
        assert f'action="/kols/{kol.pk}/{action}"' not in page, name
        assert field not in page, name
        # htmx fetches the form when the <details> opens; without JavaScript, a link opens
        # the page with that form open.
        assert f'hx-get="/kols/{kol.pk}/?open={name}" hx-trigger="toggle once"' in page, name
        assert f'href="/kols/{kol.pk}/?open={name}#' in page, name


def test_htmx_gets_the_form_alone_when_its_details_open(owner_client, kol):
    for name, (action, field) in LAZY_FORMS.items():
        response = owner_client.get(url("kol_detail", kol), {"open": name}, **HTMX)

        part = response.content.decode()
        assert response.status_code == 200, name
        assert part.lstrip().startswith("<form"), name
        assert f'action="/kols/{kol.pk}/{action}"' in part, name
        assert field in part, name
        assert 'name="csrfmiddlewaretoken"' in part, name
        assert "<h1" not in part, name


def test_without_javascript_the_link_opens_the_page_with_that_form_open(owner_client, kol):
    for name, (action, field) in LAZY_FORMS.items():
        page = owner_client.get(url("kol_detail", kol), {"open": name}).content.decode()

        assert "<h1" in page, name
        form_at = page.index(f'action="/kols/{kol.pk}/{action}"')
        details_at = page.rindex("<details", 0, form_at)
        details_tag = page[details_at : page.index(">", details_at)]
        assert " open" in details_tag, name
        assert "hx-get" not in details_tag, name
        assert field in page, name
        others = [other for other in LAZY_FORMS if other != name]
        assert all(f'action="/kols/{kol.pk}/{LAZY_FORMS[o][0]}"' not in page for o in others)


def test_only_who_may_use_a_form_can_fetch_it(kol, teammate, manager_client, teammate_client):
    Collaborator.objects.create(kol=kol, user=teammate)

    # A collaborator logs and adds interests, but only the owner adds collaborators.
    assert teammate_client.get(url("kol_detail", kol), {"open": "give"}, **HTMX).status_code == 200
    denied = teammate_client.get(url("kol_detail", kol), {"open": "collaborator"}, **HTMX)
    assert denied.status_code == 403
    # A manager reviews; they log nothing and see no add-form to open.
    assert (
        manager_client.get(url("kol_detail", kol), {"open": "touchpoint"}, **HTMX).status_code
        == 403
    )
    page = manager_client.get(url("kol_detail", kol)).content.decode()
    assert set(re.findall(r"\?open=(\w+)", page)) == {"history"}  # no add-form, the History


def test_an_invalid_post_shows_its_form_open_with_the_errors(owner_client, kol):
    response = owner_client.post(url("interest_add", kol), {"kind": "", "note": ""}, **HTMX)

    part = response.content.decode()
    assert response.status_code == 422
    assert '<details open class="lazy-form">' in part
    assert f'action="/kols/{kol.pk}/interests/add/"' in part
    assert 'class="errorlist' in part
