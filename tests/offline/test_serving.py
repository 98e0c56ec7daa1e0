"""What the server does for the offline app (README: Offline and on the home screen): the
service worker and the manifest at the root, whose page a response is, private caching, and
signing out emptying the browser."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from offline.middleware import USER_HEADER


@pytest.mark.django_db
def test_it_serves_the_service_worker_at_the_root_without_a_login():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content).decode()
    assert 'importScripts("/static/js/offline/store.js")' in body


@pytest.mark.django_db
def test_it_serves_an_installable_manifest_without_a_login():
    # Browsers fetch the manifest without cookies: it must not need a login.
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(b"".join(response.streaming_content))
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith("/today/")
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


@pytest.mark.django_db
def test_it_serves_the_offline_shell():
    response = Client().get("/offline.html")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "You are offline" in body and "<script>" not in body and "style=" not in body


def test_it_links_the_manifest_and_says_whose_page_it_is(owner_client, owner, kol):
    response = owner_client.get(reverse("kol:kol_detail", args=[kol.pk]))
    page = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'<meta name="kolcrm-user" content="{owner.pk}">' in page
    assert '<script src="/static/js/offline/page.js" defer></script>' in page
    assert response[USER_HEADER] == str(owner.pk)


def test_personal_pages_are_private(owner_client, kol):
    for url in ["/today/", reverse("kol:kol_detail", args=[kol.pk]), "/kols/export.csv"]:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"], url


@pytest.mark.django_db
def test_anonymous_pages_say_nobody():
    response = Client().get("/accounts/login/")
    assert USER_HEADER not in response
    assert '<meta name="kolcrm-user" content="">' in response.content.decode()


def test_the_csp_lets_the_worker_and_the_manifest_load_from_our_origin(owner_client):
    csp = owner_client.get("/today/")["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp


def test_signing_out_tells_the_browser_to_forget_everything(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert owner_client.get("/today/").status_code == 302  # signed out


def test_signing_out_by_get_is_refused_and_clears_nothing(owner_client):
    response = owner_client.get(reverse("logout"))
    assert response.status_code == 405
    assert "Clear-Site-Data" not in response
