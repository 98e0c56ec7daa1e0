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


class CollaboratorInline(admin.TabularInline):
    model = Collaborator
    extra = 0
    autocomplete_fields = ["user"]


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    autocomplete_fields = ["topic", "created_by"]


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    autocomplete_fields = ["created_by"]


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
    autocomplete_fields = ["owner"]
    filter_horizontal = ["therapeutic_areas"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [CollaboratorInline, InterestInline, GoalInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["kol", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["kol__name", "reason"]
    list_select_related = ["kol", "changed_by"]
    autocomplete_fields = ["kol", "changed_by"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["kol", "kind", "topic", "provenance", "assumption_status", "stated_on"]
    list_filter = ["kind", "provenance", "assumption_status", "topic__area"]
    search_fields = ["kol__name", "topic__name", "note"]
    list_select_related = ["kol", "topic__area"]
    autocomplete_fields = ["kol", "topic", "created_by"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["kol", "whose", "area", "status", "provenance"]
    list_filter = ["whose", "area", "status", "provenance"]
    search_fields = ["kol__name", "text", "in_it_for_kol"]
    list_select_related = ["kol"]
    autocomplete_fields = ["kol", "created_by"]


@admin.register(Collaborator)
class CollaboratorAdmin(admin.ModelAdmin):
    list_display = ["kol", "user", "role", "added_at"]
    list_filter = ["role"]
    search_fields = ["kol__name", "user__display_name", "user__email"]
    list_select_related = ["kol", "user"]
    autocomplete_fields = ["kol", "user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is read-only, here as everywhere."""

    list_display = ["at", "kol", "actor", "action", "subject", "summary"]
    list_filter = ["action", "subject"]
    search_fields = ["kol__name", "summary", "actor__display_name"]
    list_select_related = ["kol", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
