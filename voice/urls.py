"""The voice app's pages; `public_urlpatterns` are listed with the others in kolcrm.urls."""

from django.urls import path

from voice import views

app_name = "voice"

urlpatterns = [
    path("kols/<int:pk>/links/", views.link_create, name="link_create"),
    path("kols/<int:pk>/links/<int:link_pk>/revoke/", views.link_revoke, name="link_revoke"),
]
public_urlpatterns = [
    # The KOL's personal link: their page (GET) and their answers to it (POST).
    path("for-you/<str:token>/", views.kol_link, name="kol_link"),
]
