from django.urls import reverse

from engagements.services.touchpoints import thank_you_due

URL = reverse("preferences")


def test_it_sets_the_thank_you_delay_and_time_zone(owner_client, owner):
    page = owner_client.get(URL).content.decode()
    assert 'name="thank_you_after_days" value="2"' in page
    response = owner_client.post(
        URL, {"display_name": "Olivia O.", "time_zone": "Asia/Tokyo", "thank_you_after_days": 1}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.display_name, owner.time_zone, owner.thank_you_after_days) == (
        "Olivia O.",
        "Asia/Tokyo",
        1,
    )
    import datetime

    from django.utils import timezone

    now = timezone.now()
    assert thank_you_due(occurred_at=now, user=owner) == timezone.localdate(
        now
    ) + datetime.timedelta(1)


def test_bad_values_are_refused_and_nothing_saved(owner_client, owner):
    response = owner_client.post(
        URL, {"display_name": "", "time_zone": "Mars/Base", "thank_you_after_days": 30}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "within two weeks" in page and "Select a valid choice" in page
    owner.refresh_from_db()
    assert owner.time_zone == "UTC" and owner.thank_you_after_days == 2


def test_it_needs_a_login_and_refuses_other_methods(client, owner_client):
    assert client.get(URL).status_code == 302
    assert owner_client.delete(URL).status_code == 405
