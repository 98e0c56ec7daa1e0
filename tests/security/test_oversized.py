"""Oversized input gets a clear limit message and saves nothing.

Three limits (README, "Data in and out"): free text up to 20,000 characters a field (a field
error), a form body up to 2.5 MB (a 413 page, or a message in the page for htmx), an imported
file up to 5 MB (an error on the upload form).
"""

import datetime
import re
import uuid
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from common.text import TEXT_MAX_CHARS
from contacts import imports
from contacts.forms import GoalForm, KolForm
from contacts.models import Goal, ImportJob
from engagements.forms.followups import FollowUpForm
from engagements.forms.ledger import AskForm, GiveForm
from engagements.forms.plan import EngagementPlanForm
from engagements.forms.touchpoints import TouchpointForm
from engagements.models import Touchpoint
from events.forms import OpportunityForm
from tests.conftest import HTMX

FIVE_MB_NOTE = "x" * (5 * 1024 * 1024)
TOO_LONG = "y" * (TEXT_MAX_CHARS + 1)
LIMIT_MESSAGE = "Notes are limited to 20,000 characters; this has 20,001."


def touchpoint_data(**overrides) -> dict:
    occurred = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "form_token": str(uuid.uuid4()),
        "kind": "meeting",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "summary": "Coffee after grand rounds",
        **overrides,
    }


def add_url(kol) -> str:
    return reverse("kol:touchpoint_add", args=[kol.pk])


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- A body over DATA_UPLOAD_MAX_MEMORY_SIZE ---------------------------------------------------


def test_it_answers_a_5_mb_note_with_a_page_that_names_the_limit(owner_client, kol):
    response = owner_client.post(add_url(kol), touchpoint_data(they_said=FIVE_MB_NOTE))
    assert response.status_code == 413
    text = page_text(response)
    assert "Too much to send at once" in text
    assert "Nothing was saved: that was more than a form can send (2.5 MB at most)." in text
    assert "Notes are limited to 20,000 characters each." in text
    # The whole page: our layout under the strict CSP, the signed-in navigation.
    assert "My KOLs" in text and "Content-Security-Policy" in response
    assert not Touchpoint.objects.exists()


def test_htmx_gets_the_limit_message_in_the_page_messages(owner_client, kol):
    # htmx posts the form urlencoded; the message goes into #messages, the form stays as typed.
    body = urlencode(touchpoint_data(they_said=FIVE_MB_NOTE))
    response = owner_client.post(
        add_url(kol), body, content_type="application/x-www-form-urlencoded", **HTMX
    )
    assert response.status_code == 413
    assert response["HX-Retarget"] == "#messages"
    assert response["HX-Reswap"] == "innerHTML"
    part = response.content.decode()
    assert part.lstrip().startswith('<p class="flash flash-error" role="alert">')
    assert "<html" not in part
    assert "2.5 MB at most" in part
    assert not Touchpoint.objects.exists()


def test_the_log_a_touchpoint_page_gets_the_limit_page_too(owner_client, kol):
    data = touchpoint_data(kol=kol.pk, they_said=FIVE_MB_NOTE)
    response = owner_client.post(reverse("engagements:touchpoint_new"), data)
    assert response.status_code == 413
    assert "Too much to send at once" in page_text(response)
    assert not Touchpoint.objects.exists()


def test_a_body_under_the_limit_reaches_the_form(owner_client, kol):
    # 2 MB of text passes the body limit, then meets the field limit: a 422 with the form.
    note = "z" * (2 * 1024 * 1024)
    response = owner_client.post(add_url(kol), touchpoint_data(they_said=note), **HTMX)
    assert response.status_code == 422
    assert "Notes are limited to 20,000 characters; this has 2,097,152." in page_text(response)


# --- Free text over TEXT_MAX_CHARS ----------------------------------------------------------------


def test_a_long_note_gets_a_field_error_inline_and_nothing_is_saved(owner_client, kol):
    response = owner_client.post(add_url(kol), touchpoint_data(they_said=TOO_LONG), **HTMX)
    assert response.status_code == 422
    part = response.content.decode()
    assert part.lstrip().startswith('<section id="timeline"')
    assert LIMIT_MESSAGE in page_text(response)
    assert not Touchpoint.objects.exists()


def test_a_long_note_gets_a_field_error_on_the_plain_page(owner_client, kol):
    data = touchpoint_data(kol=kol.pk, summary=TOO_LONG)
    response = owner_client.post(reverse("engagements:touchpoint_new"), data)
    assert response.status_code == 422
    assert LIMIT_MESSAGE in page_text(response)
    assert not Touchpoint.objects.exists()


def test_a_note_of_exactly_the_limit_is_saved(owner_client, kol):
    note = "w" * TEXT_MAX_CHARS
    response = owner_client.post(add_url(kol), touchpoint_data(they_said=note), **HTMX)
    assert response.status_code == 200
    assert Touchpoint.objects.get().they_said == note


def test_a_long_kol_background_gets_a_field_error(owner_client, kol):
    data = {"name": kol.name, "cadence_days": 90, "version": kol.version, "passions": TOO_LONG}
    response = owner_client.post(reverse("contacts:kol_edit", args=[kol.pk]), data)
    assert response.status_code == 422
    assert LIMIT_MESSAGE in page_text(response)
    kol.refresh_from_db()
    assert kol.passions == ""


def test_a_long_goal_gets_a_field_error(owner_client, kol):
    url = reverse("kol:goal_add", args=[kol.pk, "kol"])
    data = {"kolgoal-text": TOO_LONG, "kolgoal-status": "active", "kolgoal-provenance": "stated"}
    response = owner_client.post(url, data, **HTMX)
    assert response.status_code == 422
    assert LIMIT_MESSAGE in page_text(response)
    assert not Goal.objects.exists()


def build_forms(kol, owner) -> dict:
    return {
        "touchpoint": lambda data: TouchpointForm(data, kol=kol, user=owner),
        "kol": lambda data: KolForm(data, instance=kol),
        "goal": lambda data: GoalForm(data),
        "follow-up": lambda data: FollowUpForm(data),
        "give": lambda data: GiveForm(data, kol=kol),
        "ask": lambda data: AskForm(data),
        "plan": lambda data: EngagementPlanForm(data),
        "opportunity": lambda data: OpportunityForm(data),
    }


@pytest.mark.parametrize(
    "name", ["touchpoint", "kol", "goal", "follow-up", "give", "ask", "plan", "opportunity"]
)
def test_every_free_text_field_has_the_limit(kol, owner, name):
    make = build_forms(kol, owner)[name]
    blank = make(None)
    text_fields = [
        field_name
        for field_name, field in blank.fields.items()
        if field.widget.__class__.__name__ == "Textarea"
    ]
    assert text_fields
    form = make({blank.add_prefix(field_name): TOO_LONG for field_name in text_fields})
    assert not form.is_valid()
    for field_name in text_fields:
        errors = form.errors.get(field_name, [])
        assert any(error.startswith(LIMIT_MESSAGE) for error in errors), field_name


# --- Imports over the documented 5 MB -----------------------------------------------------------


def test_an_import_over_5_mb_gets_a_clear_message_and_no_job(owner_client):
    header = b"Name,Institution\n"
    row = b"Dr Ada Lovelace,St Thomas' Hospital\n"
    data = header + row * ((imports.MAX_BYTES // len(row)) + 1)
    assert len(data) > imports.MAX_BYTES == 5 * 1024 * 1024
    upload = SimpleUploadedFile("kols.csv", data, content_type="text/csv")
    response = owner_client.post(reverse("contacts:import_upload"), {"file": upload})
    assert response.status_code == 422
    assert "This file is larger than 5 MB. Split it and import each part." in page_text(response)
    assert not ImportJob.objects.exists()


def test_the_upload_form_states_the_limit(owner_client):
    response = owner_client.get(reverse("contacts:import_upload"))
    assert "up to 5 MB and 20,000 rows" in page_text(response)
