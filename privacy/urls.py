from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("kols/<int:pk>/data.json", views.kol_data_json, name="kol_data_json"),
    path("kols/<int:pk>/data/", views.kol_data, name="kol_data"),
    path("kols/<int:pk>/erase/", views.kol_erase, name="kol_erase"),
    path("kols/<int:pk>/timeline.csv", views.kol_timeline_csv, name="kol_timeline_csv"),
]
