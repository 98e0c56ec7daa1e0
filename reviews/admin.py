from django.contrib import admin

from reviews.models import StageReview


@admin.register(StageReview)
class StageReviewAdmin(admin.ModelAdmin):
    list_display = ["kol", "reviewer", "at", "verdict", "stage_at_review", "suggested_stage"]
    list_filter = ["verdict", "stage_at_review", "suggested_stage"]
    search_fields = ["kol__name", "reviewer__display_name", "comment"]
    list_select_related = ["kol", "reviewer"]
    autocomplete_fields = ["kol", "reviewer"]
