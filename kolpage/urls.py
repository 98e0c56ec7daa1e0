"""The KOL page and every part of it, in one place. Each view answers its own part
(contacts.kol_page.answer_part); `compose` gives it the whole page when it must show in it.
"""

from django.urls import path

from contacts.views import profile
from engagements.views import followups, ledger, plan, timeline
from kolpage import views
from reviews.views import board

app_name = "kol"

urlpatterns = [
    path("kols/<int:pk>/", views.kol_detail, name="kol_detail"),
    # contacts: who they are
    path("kols/<int:pk>/stage/", profile.kol_stage_part, name="kol_stage"),
    path("kols/<int:pk>/stage/change/", profile.kol_stage_change, name="kol_stage_change"),
    path("kols/<int:pk>/interests/", profile.kol_interests_part, name="kol_interests"),
    path("kols/<int:pk>/interests/add/", profile.interest_add, name="interest_add"),
    path(
        "kols/<int:pk>/interests/<int:interest_pk>/edit/",
        profile.interest_edit,
        name="interest_edit",
    ),
    path(
        "kols/<int:pk>/interests/<int:interest_pk>/delete/",
        profile.interest_delete,
        name="interest_delete",
    ),
    path("kols/<int:pk>/goals/<str:whose>/", profile.kol_goals_part, name="kol_goals"),
    path("kols/<int:pk>/goals/<str:whose>/add/", profile.goal_add, name="goal_add"),
    path("kols/<int:pk>/goal/<int:goal_pk>/edit/", profile.goal_edit, name="goal_edit"),
    path("kols/<int:pk>/goal/<int:goal_pk>/delete/", profile.goal_delete, name="goal_delete"),
    path("kols/<int:pk>/collaborators/add/", profile.collaborator_add, name="collaborator_add"),
    path(
        "kols/<int:pk>/collaborators/<int:collaborator_pk>/remove/",
        profile.collaborator_remove,
        name="collaborator_remove",
    ),
    # engagements: what happens between us
    path("kols/<int:pk>/plan/", plan.kol_plan_part, name="kol_plan"),
    path("kols/<int:pk>/plan/edit/", plan.plan_edit, name="plan_edit"),
    path("kols/<int:pk>/followups/", followups.kol_followups_part, name="kol_followups"),
    path("kols/<int:pk>/followups/add/", followups.followup_add, name="followup_add"),
    path(
        "kols/<int:pk>/followups/<int:followup_pk>/done/",
        followups.followup_done,
        name="followup_done",
    ),
    path(
        "kols/<int:pk>/followups/<int:followup_pk>/skip/",
        followups.followup_skip,
        name="followup_skip",
    ),
    path(
        "kols/<int:pk>/followups/<int:followup_pk>/snooze/",
        followups.followup_snooze,
        name="followup_snooze",
    ),
    path(
        "kols/<int:pk>/followups/<int:followup_pk>/undo/",
        followups.followup_undo,
        name="followup_undo",
    ),
    path(
        "kols/<int:pk>/followups/<int:followup_pk>/reopen/",
        followups.followup_reopen,
        name="followup_reopen",
    ),
    path("kols/<int:pk>/timeline/", timeline.kol_timeline, name="kol_timeline"),
    path("kols/<int:pk>/touchpoints/", timeline.touchpoint_add, name="touchpoint_add"),
    path(
        "kols/<int:pk>/touchpoints/<int:touchpoint_pk>/edit/",
        timeline.touchpoint_edit,
        name="touchpoint_edit",
    ),
    path(
        "kols/<int:pk>/touchpoints/<int:touchpoint_pk>/delete/",
        timeline.touchpoint_delete,
        name="touchpoint_delete",
    ),
    path("kols/<int:pk>/ledger/", ledger.kol_ledger_part, name="kol_ledger"),
    path("kols/<int:pk>/gives/add/", ledger.entry_add, ledger.GIVES, name="give_add"),
    path(
        "kols/<int:pk>/gives/<int:give_pk>/edit/",
        ledger.entry_edit,
        ledger.GIVES,
        name="give_edit",
    ),
    path(
        "kols/<int:pk>/gives/<int:give_pk>/delete/",
        ledger.entry_delete,
        ledger.GIVES,
        name="give_delete",
    ),
    path("kols/<int:pk>/asks/add/", ledger.entry_add, ledger.ASKS, name="ask_add"),
    path("kols/<int:pk>/asks/<int:ask_pk>/edit/", ledger.entry_edit, ledger.ASKS, name="ask_edit"),
    path(
        "kols/<int:pk>/asks/<int:ask_pk>/delete/",
        ledger.entry_delete,
        ledger.ASKS,
        name="ask_delete",
    ),
    # reviews: the manager's word
    path("kols/<int:pk>/review/", board.review_add, name="review_add"),
]

for pattern in urlpatterns:
    pattern.callback = views.compose(pattern.callback)
