from django.urls import path

from contacts.views import exports, imports, kols, merge, profile

app_name = "contacts"

urlpatterns = [
    path("", kols.kol_list, name="kol_list"),
    path("archived/", kols.kol_archived_list, name="kol_archived_list"),
    path("new/", kols.kol_create, name="kol_create"),
    path("<int:pk>/", kols.kol_detail, name="kol_detail"),
    path("<int:pk>/edit/", kols.kol_edit, name="kol_edit"),
    path("<int:pk>/archive/", kols.kol_archive, name="kol_archive"),
    path("<int:pk>/restore/", kols.kol_restore, name="kol_restore"),
    path("<int:pk>/stage/", profile.kol_stage_part, name="kol_stage"),
    path("<int:pk>/stage/change/", profile.kol_stage_change, name="kol_stage_change"),
    path("<int:pk>/interests/", profile.kol_interests_part, name="kol_interests"),
    path("<int:pk>/interests/add/", profile.interest_add, name="interest_add"),
    path("<int:pk>/interests/<int:interest_pk>/edit/", profile.interest_edit, name="interest_edit"),
    path(
        "<int:pk>/interests/<int:interest_pk>/delete/",
        profile.interest_delete,
        name="interest_delete",
    ),
    path("<int:pk>/goals/<str:whose>/", profile.kol_goals_part, name="kol_goals"),
    path("<int:pk>/goals/<str:whose>/add/", profile.goal_add, name="goal_add"),
    path("<int:pk>/goal/<int:goal_pk>/edit/", profile.goal_edit, name="goal_edit"),
    path("<int:pk>/goal/<int:goal_pk>/delete/", profile.goal_delete, name="goal_delete"),
    path("<int:pk>/collaborators/add/", profile.collaborator_add, name="collaborator_add"),
    path(
        "<int:pk>/collaborators/<int:collaborator_pk>/remove/",
        profile.collaborator_remove,
        name="collaborator_remove",
    ),
    *imports.urlpatterns,
    *merge.urlpatterns,
    *exports.urlpatterns,
]
