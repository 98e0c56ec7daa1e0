import csv
import datetime
import html
import io
import json

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import AuditEntry, ImportJob, Kol
from engagements.models import (
    FollowUp,
    Touchpoint,
)
from privacy import services as privacy
from tests.conftest import client_for
from tests.engagements.factories import (
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.privacy.conftest import MARK


def url(name: str, kol: Kol) -> str:
    return reverse(f"privacy:{name}", args=[kol.pk])


def rows_holding(marker: str) -> list[str]:
    """Every row of every table with a text or JSON column containing `marker`."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {
            "contacts",
            "engagements",
            "events",
            "reviews",
            "accounts",
        }:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                hits = model.objects.annotate(_t=Cast(field.name, models.TextField())).filter(
                    _t__icontains=marker
                )
            elif isinstance(field, models.CharField | models.TextField):
                hits = model.objects.filter(**{f"{field.name}__icontains": marker})
            else:
                continue
            found += [
                f"{model.__name__}.{field.name} #{pk}" for pk in hits.values_list("pk", flat=True)
            ]
    return found


# Export --------------------------------------------------------------------------------


def test_the_json_export_holds_every_kind_of_row(owner_client, full_kol, teammate):
    response = owner_client.get(url("kol_data_json", full_kol))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="kol-{full_kol.pk}-data-'
    )
    data = json.loads(response.content)
    profile = data["profile"]
    assert profile["name"] == f"Dr Ada {MARK}" and profile["passions"] == f"Sailing off {MARK}"
    assert profile["email_consent"] is True and profile["email_consent_on"] == "2026-03-01"
    assert data["interests"][0]["note"] == f"Wants registry data {MARK}"
    assert {g["text"] for g in data["goals"]} == {f"Our goal {MARK}", f"Their goal {MARK}"}
    assert [c["to_stage"] for c in data["stage_history"]] == ["Establishing", "Developing"]
    touchpoint = data["touchpoints"][0]
    assert touchpoint["they_said"] == f"They said {MARK}" and touchpoint["topics"] == ["HFpEF"]
    assert len(touchpoint["questions"]) == 1 and touchpoint["interests"]
    assert {f["text"] for f in data["follow_ups"]} >= {f"Done follow-up {MARK}"}
    assert data["gives"][0]["response"] == f"Response {MARK}"
    assert data["asks"][0]["outcome"] == f"Outcome {MARK}"
    assert data["engagement_plan"]["kol_input"] == f"Input {MARK}"
    assert data["events_attended"][0]["name"] == "ESC Congress"
    assert data["stage_reviews"][0]["comment"] == f"Review {MARK}"
    assert data["collaborators"] == [
        {"user": "Tom Teammate", "role": "Co-MSL", "added_at": data["collaborators"][0]["added_at"]}
    ]
    subjects = {entry["subject"] for entry in data["audit_history"]}
    assert {"KOL profile", "goal", "stage"} <= subjects


def test_the_readable_page_shows_the_same_data(owner_client, full_kol):
    response = owner_client.get(url("kol_data", full_kol))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        f"Everything we hold about Dr Ada {MARK}",
        f"Sailing off {MARK}",
        f"They said {MARK}",
        f"Response {MARK}",
        f"Input {MARK}",
        f"Review {MARK}",
        "ESC Congress",
        "Tom Teammate",
        "History of changes",
        url("kol_data_json", full_kol),
    ]:
        assert text in page, text
    assert "<script>" not in page and "style=" not in page


def test_the_export_runs_the_same_queries_whatever_the_rows(owner_client, full_kol):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url("kol_data_json", full_kol)).status_code == 200
        return len(captured)

    few = queries()
    TouchpointFactory.create_batch(20, kol=full_kol)
    GiveFactory.create_batch(20, kol=full_kol)
    FollowUpFactory.create_batch(20, kol=full_kol)
    assert queries() == few


def test_a_manager_may_export(manager_client, full_kol):
    assert manager_client.get(url("kol_data_json", full_kol)).status_code == 200
    assert manager_client.get(url("kol_data", full_kol)).status_code == 200


def test_a_collaborator_may_not_export(teammate_client, collaborator, full_kol):
    for name in ["kol_data_json", "kol_data"]:
        response = teammate_client.get(url(name, full_kol))
        assert response.status_code == 403
        assert "owner and the manager" in response.content.decode()


@pytest.mark.parametrize("name", ["kol_data_json", "kol_data", "kol_erase", "kol_timeline_csv"])
def test_an_outsider_and_a_teammate_without_access_get_404(
    outsider_client, teammate_client, kol, name
):
    assert outsider_client.get(url(name, kol)).status_code == 404
    assert teammate_client.get(url(name, kol)).status_code == 404
    assert client_for(None).get(url(name, kol)).status_code == 302


def test_an_outsider_cannot_erase(outsider_client, other_manager, kol):
    assert (
        outsider_client.post(url("kol_erase", kol), {"confirm_name": kol.name}).status_code == 404
    )
    other = client_for(other_manager)
    assert other.post(url("kol_erase", kol), {"confirm_name": kol.name}).status_code == 404
    assert Kol.objects.get(pk=kol.pk).erased_at is None


@pytest.mark.parametrize("name", ["kol_data_json", "kol_data", "kol_timeline_csv"])
def test_the_exports_answer_only_get(owner_client, kol, name):
    assert owner_client.post(url(name, kol)).status_code == 405


def test_anonymous_users_are_sent_to_sign_in(kol):
    response = client_for(None).post(url("kol_erase", kol), {"confirm_name": kol.name})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Kol.objects.get(pk=kol.pk).erased_at is None


def test_the_owner_sees_the_links_and_the_manager_only_the_exports(
    owner_client, manager_client, collaborator, teammate_client, kol
):
    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "Export their data (JSON)" in page and "Erase their data…" in page
    page = manager_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "Export their data (JSON)" in page and "Erase their data" not in page
    page = teammate_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "Export their data" not in page and "Erase their data" not in page


# Timeline CSV --------------------------------------------------------------------------


def test_the_timeline_csv_lists_every_kind_newest_first(teammate_client, full_kol):
    response = teammate_client.get(url("kol_timeline_csv", full_kol))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="kol-{full_kol.pk}-timeline-'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Kind", "Who", "Text"]
    kinds = [row[1] for row in rows[1:]]
    assert "In-person meeting" in kinds and "Stage change" in kinds
    assert "Give: Literature summary" in kinds and "Ask: Advisory board" in kinds
    assert "Follow-up done: Promised resource" in kinds
    texts = "\n".join(row[3] for row in rows)
    assert f"They said: They said {MARK}" in texts and f"Done follow-up {MARK}" in texts
    assert f"Open follow-up {MARK}" not in texts  # only completed follow-ups
    dates = [row[0][:10] for row in rows[1:]]
    assert dates == sorted(dates, reverse=True)


def test_the_timeline_csv_neutralises_formulas(owner_client, kol):
    TouchpointFactory(kol=kol, summary='=HYPERLINK("http://evil.test")', they_said="")
    rows = list(
        csv.reader(
            io.StringIO(owner_client.get(url("kol_timeline_csv", kol)).content.decode("utf-8-sig"))
        )
    )
    assert [r[3] for r in rows if "HYPERLINK" in r[3]] == ['\'=HYPERLINK("http://evil.test")']


# Erasure -------------------------------------------------------------------------------


def test_the_confirmation_page_says_what_will_happen(owner_client, full_kol):
    response = owner_client.get(url("kol_erase", full_kol))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Erase Dr Ada {MARK}" in page and "1 touchpoint lose" in page
    assert f"Erased KOL #{full_kol.pk}" in page and 'name="confirm_name"' in page


def test_erasing_leaves_no_trace_and_keeps_the_counts(owner_client, owner, full_kol):
    assert len(rows_holding(MARK)) > 30
    touchpoints = Touchpoint.objects.filter(kol=full_kol).count()
    follow_ups = FollowUp.objects.filter(kol=full_kol).count()
    audit_before = AuditEntry.objects.filter(kol=full_kol).count()

    response = owner_client.post(url("kol_erase", full_kol), {"confirm_name": f" Dr  Ada {MARK} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("kol:kol_detail", args=[full_kol.pk])
    assert rows_holding(MARK) == []
    assert rows_holding("+44 20 7946") == []
    kol = Kol.objects.get(pk=full_kol.pk)
    assert kol.name == f"Erased KOL #{kol.pk}"
    assert kol.erased_at is not None and kol.is_archived
    assert (kol.email_consent, kol.email_consent_on, kol.preferred_channel) == (False, None, "")
    assert not kol.therapeutic_areas.exists() and not kol.events_attended.exists()
    assert Touchpoint.objects.filter(kol=kol).count() == touchpoints
    assert FollowUp.objects.filter(kol=kol).count() == follow_ups
    touchpoint = Touchpoint.objects.get(kol=kol)
    assert touchpoint.kind == "meeting" and touchpoint.by == owner
    assert ImportJob.objects.get().rows == [["Dr Someone Else", "Yale"]]
    entries = AuditEntry.objects.filter(kol=kol)
    assert entries.count() == audit_before + 1
    assert set(entries.exclude(subject="personal data").values_list("summary", flat=True)) == {
        "(erased)"
    }
    last = entries.first()
    assert (last.actor, last.action, last.subject, last.changes) == (
        owner,
        "erased",
        "personal data",
        {},
    )

    page = owner_client.get(response["Location"]).content.decode()
    assert f"Erased KOL #{kol.pk}" in page and "This KOL is archived" in page
    assert MARK not in page and "Erase their data…" not in page
    data = json.loads(owner_client.get(url("kol_data_json", kol)).content)
    assert data["profile"]["name"] == f"Erased KOL #{kol.pk}"
    assert data["profile"]["erased_at"] and MARK not in json.dumps(data)
    assert len(data["touchpoints"]) == touchpoints


def test_a_wrong_confirmation_changes_nothing(owner_client, full_kol):
    response = owner_client.post(url("kol_erase", full_kol), {"confirm_name": "Dr Ada"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "That is not the name on this record" in page and "Nothing was erased" in page
    kol = Kol.objects.get(pk=full_kol.pk)
    assert kol.name == f"Dr Ada {MARK}" and kol.erased_at is None
    assert owner_client.post(url("kol_erase", full_kol), {}).status_code == 422
    assert Touchpoint.objects.get(kol=kol).they_said == f"They said {MARK}"


def test_erasing_twice_is_refused(owner_client, kol, owner):
    privacy.kol_erase(kol=kol, by=owner)
    response = owner_client.post(url("kol_erase", kol), {"confirm_name": kol.name})
    assert response.status_code == 422 and "already erased" in response.content.decode()
    assert AuditEntry.objects.filter(kol=kol, subject="personal data").count() == 1


def test_only_the_owner_may_erase(manager_client, teammate_client, collaborator, kol):
    for client in (manager_client, teammate_client):
        assert client.get(url("kol_erase", kol)).status_code == 403
        response = client.post(url("kol_erase", kol), {"confirm_name": kol.name})
        assert response.status_code == 403
        assert "Only the KOL's owner" in html.unescape(response.content.decode())
    assert Kol.objects.get(pk=kol.pk).erased_at is None


def test_erase_answers_only_get_and_post(owner_client, kol):
    assert owner_client.put(url("kol_erase", kol)).status_code == 405
    assert owner_client.delete(url("kol_erase", kol)).status_code == 405


# Email consent -------------------------------------------------------------------------


def _edit(client, kol, **changes):
    data = {"name": kol.name, "version": kol.version, **changes}
    return client.post(reverse("contacts:kol_edit", args=[kol.pk]), data)


def test_consent_needs_the_day_it_was_given(owner_client, kol):
    response = _edit(owner_client, kol, email_consent="on")
    assert response.status_code == 422
    assert "Give the day they agreed to be emailed" in response.content.decode()
    assert Kol.objects.get(pk=kol.pk).email_consent is False

    response = _edit(owner_client, kol, email_consent="on", email_consent_on="2026-03-01")
    assert response.status_code == 302
    kol.refresh_from_db()
    assert (kol.email_consent, kol.email_consent_on) == (True, datetime.date(2026, 3, 1))
    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "Agreed to email</strong> on <time" in page and "1 Mar 2026" in page


def test_unticking_consent_clears_its_day(owner_client, kol):
    kol.email_consent, kol.email_consent_on = True, datetime.date(2026, 3, 1)
    kol.save()
    response = _edit(owner_client, kol, email_consent_on="2026-03-01")
    assert response.status_code == 302
    kol.refresh_from_db()
    assert (kol.email_consent, kol.email_consent_on) == (False, None)
    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "No email consent recorded:</strong> don't send it by email" in page
