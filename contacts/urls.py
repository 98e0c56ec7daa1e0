from django.urls import path

from contacts.views import exports, imports, kols, merge

app_name = "contacts"

# The KOL page and its parts (stage, interests, goals, collaborators) are in kolpage/urls.py.
urlpatterns = [
    path("", kols.kol_list, name="kol_list"),
    path("archived/", kols.kol_archived_list, name="kol_archived_list"),
    path("new/", kols.kol_create, name="kol_create"),
    path("<int:pk>/edit/", kols.kol_edit, name="kol_edit"),
    path("<int:pk>/archive/", kols.kol_archive, name="kol_archive"),
    path("<int:pk>/restore/", kols.kol_restore, name="kol_restore"),
    *imports.urlpatterns,
    *merge.urlpatterns,
    *exports.urlpatterns,
]
