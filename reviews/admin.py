from django.contrib import admin

from reviews.models import Invitation, StageReview


@admin.register(StageReview)
class StageReviewAdmin(admin.ModelAdmin):
    list_display = ["kol", "reviewer", "at", "verdict", "stage_at_review", "suggested_stage"]
    list_filter = ["verdict", "stage_at_review", "suggested_stage"]
    search_fields = ["kol__name", "reviewer__display_name", "comment"]
    list_select_related = ["kol", "reviewer"]
    autocomplete_fields = ["kol", "reviewer"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made, answered and withdrawn on the People page, where
    each step is recorded in the team's History."""

    list_display = ["email", "team", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "user__display_name", "team__name"]
    list_select_related = ["team", "invited_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
