import datetime

from django.urls import reverse
from django.utils import timezone

from engagements.services.touchpoints import thank_you_due

URL = reverse("preferences")
VALID = {
    "display_name": "Olivia O.",
    "time_zone": "Asia/Tokyo",
    "thank_you_after_days": 1,
    "digest_enabled": "on",
    "digest_time": "06:45",
    "immediate_follow_ups": "on",
}


def test_it_sets_the_email_preferences_time_zone_and_thank_you_delay(owner_client, owner):
    page = owner_client.get(URL).content.decode()
    assert 'name="thank_you_after_days" value="2"' in page
    assert '<option value="07:30" selected>' in page
    response = owner_client.post(URL, VALID)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.display_name, owner.time_zone, owner.thank_you_after_days) == (
        "Olivia O.",
        "Asia/Tokyo",
        1,
    )
    assert owner.digest_time == datetime.time(6, 45) and owner.immediate_follow_ups
    assert owner.digest_enabled  # the weekly team summary is a manager's (test below)
    now = timezone.now()
    assert thank_you_due(occurred_at=now, user=owner) == timezone.localdate(
        now
    ) + datetime.timedelta(1)


def test_bad_values_are_refused_and_nothing_saved(owner_client, owner):
    response = owner_client.post(
        URL,
        VALID | {"time_zone": "Mars/Base", "thank_you_after_days": 30, "digest_time": "07:31"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "within two weeks" in page and page.count("Select a valid choice") == 2
    owner.refresh_from_db()
    assert owner.time_zone == "UTC" and owner.thank_you_after_days == 2
    assert owner.digest_time == datetime.time(7, 30)


def test_it_needs_a_login_and_refuses_other_methods(client, owner_client):
    assert client.get(URL).status_code == 302
    assert owner_client.delete(URL).status_code == 405


# Issue 17: the time zone list, the browser's zone, manager-only settings ----------------


def test_the_time_zones_are_grouped_by_region(owner_client):
    page = owner_client.get(URL).content.decode()
    assert '<optgroup label="Europe">' in page
    assert '<option value="Europe/Paris">Paris</option>' in page
    assert '<optgroup label="Other">' in page
    assert page.count("<optgroup") < 20


def test_the_browsers_zone_is_offered_only_to_who_never_chose_one(owner_client, owner):
    page = owner_client.get(URL).content.decode()
    assert "data-suggest-browser-zone" in page
    assert '<script src="/static/js/timezone.js" defer></script>' in page
    owner.time_zone = "Asia/Tokyo"
    owner.save()
    assert "data-suggest-browser-zone" not in owner_client.get(URL).content.decode()


def test_an_msl_does_not_see_the_managers_weekly_summary(owner_client, owner):
    assert "manager_summary_enabled" not in owner_client.get(URL).content.decode()
    owner.manager_summary_enabled = True
    owner.save()
    # A post cannot switch it either: the field is not the MSL's.
    assert owner_client.post(URL, VALID).status_code == 302
    owner.refresh_from_db()
    assert owner.manager_summary_enabled


def test_a_manager_sets_the_weekly_summary(manager_client, manager):
    assert "manager_summary_enabled" in manager_client.get(URL).content.decode()
    assert manager_client.post(URL, VALID | {"manager_summary_enabled": "on"}).status_code == 302
    manager.refresh_from_db()
    assert manager.manager_summary_enabled
