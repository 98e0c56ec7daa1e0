"""The admin reads what the app writes. What the History records changes only in the app,
through its services: the History itself, stage, owner, cadence, collaborators, interests,
goals. The KOL's plain profile fields may be fixed here, through kol_update (so History)."""

from django.contrib import admin

from contacts.models import (
    AuditEntry,
    Collaborator,
    Goal,
    Interest,
    Kol,
    StageChange,
    TherapeuticArea,
    Topic,
)
from contacts.services import KOL_PROFILE_FIELDS, kol_update

THROUGH_THE_APP = (
    "Stage, owner and check-in cadence change in the app, where the History records them "
    "and the stage log, follow-ups and next check-in follow: stage and cadence on the KOL's "
    "page, the owner by a manager under People → Reassign KOLs. Collaborators, interests and "
    "goals change on the KOL's page too, and new KOLs come from Add KOL. A profile field "
    "saved here is recorded in the KOL's History as your change."
)


class ViewOnly:
    """No add, change or delete: for the History, and for what the History records."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 1


@admin.register(TherapeuticArea)
class TherapeuticAreaAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]
    list_filter = ["area"]
    search_fields = ["name", "area__name"]
    list_select_related = ["area"]


class CollaboratorInline(ViewOnly, admin.TabularInline):
    model = Collaborator
    fields = ["user", "role", "added_at"]


class InterestInline(ViewOnly, admin.TabularInline):
    model = Interest
    fields = ["kind", "topic", "note", "provenance", "assumption_status"]


class GoalInline(ViewOnly, admin.TabularInline):
    model = Goal
    fields = ["whose", "area", "text", "status", "provenance"]


@admin.register(Kol)
class KolAdmin(admin.ModelAdmin):
    # The columns and page size of My KOLs (make bench compares the two pages).
    list_display = [
        "name",
        "institution",
        "stage",
        "last_interaction_at",
        "next_check_in_on",
        "owner",
    ]
    list_per_page = 50
    list_filter = ["stage", "is_archived", "therapeutic_areas", "owner", "country"]
    search_fields = ["name", "institution", "specialty", "email", "city"]
    list_select_related = ["owner"]
    filter_horizontal = ["therapeutic_areas"]
    # Each has a service with consequences (StageChange, History, follow-ups, the next
    # check-in, the version): writing the column here would skip them all.
    readonly_fields = [
        "stage",
        "owner",
        "cadence_days",
        "next_check_in_on",
        "last_interaction_at",
        "is_archived",
        "erased_at",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [CollaboratorInline, InterestInline, GoalInline]

    def get_fieldsets(self, request, obj=None):
        fields = self.get_fields(request, obj)
        return [(None, {"fields": fields, "description": THROUGH_THE_APP})]

    def has_add_permission(self, request):
        return False  # Add KOL in the app: it records the first stage and the History

    def has_delete_permission(self, request, obj=None):
        return False  # erasure on the KOL's page keeps the row for the counts and says so

    def save_model(self, request, obj, form, change):
        """Profile fields go through kol_update: History, version, next check-in."""
        names = [name for name in form.changed_data if name in KOL_PROFILE_FIELDS]
        if "therapeutic_areas" in form.changed_data:
            names.append("therapeutic_areas")
        if names:
            kol_update(
                kol=Kol.objects.get(pk=obj.pk),
                by=request.user,
                data={name: form.cleaned_data[name] for name in names},
                expected_version=obj.version,
            )


@admin.register(StageChange)
class StageChangeAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["kol", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["kol__name", "reason"]
    list_select_related = ["kol", "changed_by"]


@admin.register(Interest)
class InterestAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["kol", "kind", "topic", "provenance", "assumption_status", "stated_on"]
    list_filter = ["kind", "provenance", "assumption_status", "topic__area"]
    search_fields = ["kol__name", "topic__name", "note"]
    list_select_related = ["kol", "topic__area"]


@admin.register(Goal)
class GoalAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["kol", "whose", "area", "status", "provenance"]
    list_filter = ["whose", "area", "status", "provenance"]
    search_fields = ["kol__name", "text", "in_it_for_kol"]
    list_select_related = ["kol"]


@admin.register(Collaborator)
class CollaboratorAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["kol", "user", "role", "added_at"]
    list_filter = ["role"]
    search_fields = ["kol__name", "user__display_name", "user__email"]
    list_select_related = ["kol", "user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["at", "kol", "actor", "action", "subject", "summary"]
    list_filter = ["action", "subject"]
    search_fields = ["kol__name", "summary", "actor__display_name"]
    list_select_related = ["kol", "actor"]
    date_hierarchy = "at"
