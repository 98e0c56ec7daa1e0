from django.urls import reverse

from contacts.models import Kol, Stage, StageChange
from tests.factories import TherapeuticAreaFactory


def test_it_creates_a_kol_owned_by_the_creator(owner_client, owner):
    area = TherapeuticAreaFactory(name="Nephrology")
    response = owner_client.post(
        reverse("contacts:kol_create"),
        {
            "name": "  Dr  Grace Hopper ",
            "credentials": "MD, PhD",
            "institution": "Yale",
            "therapeutic_areas": [area.pk],
            "cadence_days": 60,
            "stage": "developing",
            "passions": "Sailing",
        },
    )
    kol = Kol.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kols/{kol.pk}/"
    assert (kol.name, kol.owner, kol.stage, kol.cadence_days) == (
        "Dr Grace Hopper",
        owner,
        Stage.DEVELOPING,
        60,
    )
    assert list(kol.therapeutic_areas.all()) == [area]
    assert StageChange.objects.get(kol=kol).to_stage == Stage.DEVELOPING
    page = owner_client.get(response["Location"]).content.decode()
    assert "Dr Grace Hopper, MD, PhD" in page and "Sailing" in page


def test_an_invalid_create_shows_field_errors_and_saves_nothing(owner_client):
    response = owner_client.post(
        reverse("contacts:kol_create"),
        {
            "name": "   ",
            "email": "not-an-email",
            "cadence_days": 3,
            "profile_url": "nope",
            "stage": "developing",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Give the KOL" in page
    assert "Enter a valid email address" in page
    assert "greater than or equal to 7" in page
    assert "Nothing was saved" in page
    assert 'value="not-an-email"' in page  # what the user typed is kept
    assert Kol.objects.count() == 0


def test_it_edits_the_profile(owner_client, kol):
    url = reverse("contacts:kol_edit", args=[kol.pk])
    form = owner_client.get(url).content.decode()
    assert f'name="version" value="{kol.version}"' in form
    response = owner_client.post(
        url,
        {"name": "Dr Ada King", "cadence_days": 30, "from_where": "London", "version": kol.version},
    )
    assert response.status_code == 302
    kol.refresh_from_db()
    assert (kol.name, kol.cadence_days, kol.from_where, kol.version) == (
        "Dr Ada King",
        30,
        "London",
        2,
    )


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(owner_client, kol, owner):
    url = reverse("contacts:kol_edit", args=[kol.pk])
    loaded = kol.version
    # Someone else (another tab) saves first.
    owner_client.post(url, {"name": "Dr Ada King", "cadence_days": 90, "version": loaded})
    response = owner_client.post(
        url, {"name": "Dr Ada Byron", "cadence_days": 45, "version": loaded}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this profile" in page
    assert "Dr Ada King" in page and "Dr Ada Byron" in page
    assert 'name="version" value="2"' in page
    kol.refresh_from_db()
    assert (kol.name, kol.cadence_days) == ("Dr Ada King", 90)
    # Saving again, deliberately, keeps the second user's version.
    owner_client.post(url, {"name": "Dr Ada Byron", "cadence_days": 45, "version": 2})
    kol.refresh_from_db()
    assert (kol.name, kol.cadence_days) == ("Dr Ada Byron", 45)


def test_an_edit_without_a_version_is_refused(owner_client, kol):
    url = reverse("contacts:kol_edit", args=[kol.pk])
    response = owner_client.post(url, {"name": "Dr X", "cadence_days": 90})
    assert response.status_code == 422
    kol.refresh_from_db()
    assert kol.name == "Dr Ada Lovelace"


def test_archive_and_restore(owner_client, kol):
    response = owner_client.post(reverse("contacts:kol_archive", args=[kol.pk]))
    assert response.status_code == 302
    kol.refresh_from_db()
    assert kol.is_archived
    page = owner_client.get(reverse("kol:kol_detail", args=[kol.pk])).content.decode()
    assert "This KOL is archived" in page and "Restore" in page
    owner_client.post(reverse("contacts:kol_restore", args=[kol.pk]))
    kol.refresh_from_db()
    assert not kol.is_archived
