from django.contrib import admin

from engagements.models import (
    Ask,
    EngagementPlan,
    FollowUp,
    Give,
    Question,
    Touchpoint,
    TouchpointInterest,
)


class TouchpointInterestInline(admin.TabularInline):
    model = TouchpointInterest
    extra = 0
    autocomplete_fields = ["interest"]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["kol", "kind", "occurred_at", "by", "is_criticism"]
    list_per_page = 20  # the timeline's page (make bench compares the two)
    list_filter = ["kind", "is_criticism", "topics__area"]
    search_fields = ["kol__name", "summary", "they_said", "feedback", "where"]
    list_select_related = ["kol", "by"]
    autocomplete_fields = ["kol", "by", "topics", "questions"]
    date_hierarchy = "occurred_at"
    readonly_fields = ["form_token", "version", "created_at", "updated_at"]
    inlines = [TouchpointInterestInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["kol", "kind", "due_on", "status", "owner"]
    list_filter = ["kind", "status"]
    search_fields = ["kol__name", "text", "owner__display_name"]
    list_select_related = ["kol", "owner"]
    autocomplete_fields = ["kol", "owner", "source_touchpoint"]
    date_hierarchy = "due_on"


@admin.register(Give)
class GiveAdmin(admin.ModelAdmin):
    list_display = ["kol", "kind", "topic", "given_on", "by"]
    list_filter = ["kind", "topic__area"]
    search_fields = ["kol__name", "note", "response"]
    list_select_related = ["kol", "topic", "by"]
    autocomplete_fields = ["kol", "topic", "by"]


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    list_display = ["kol", "kind", "asked_on", "by"]
    list_filter = ["kind"]
    search_fields = ["kol__name", "in_it_for_kol", "outcome"]
    list_select_related = ["kol", "by"]
    autocomplete_fields = ["kol", "by"]


@admin.register(EngagementPlan)
class EngagementPlanAdmin(admin.ModelAdmin):
    list_display = ["kol", "built_with_kol", "next_review_on", "updated_at"]
    list_filter = ["built_with_kol"]
    search_fields = ["kol__name", "objectives", "outcome_measures"]
    list_select_related = ["kol"]
    autocomplete_fields = ["kol"]
    readonly_fields = ["version", "updated_at", "updated_by"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "purpose", "owner"]
    list_filter = ["purpose", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["text"]
    list_select_related = ["owner"]
