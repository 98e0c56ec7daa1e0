from django.contrib import admin

from voice.models import SurveyAnswer, VoiceLink


@admin.register(VoiceLink)
class VoiceLinkAdmin(admin.ModelAdmin):
    list_display = ["kol", "created_by", "created_at", "expires_at", "revoked_at"]
    raw_id_fields = ["kol", "created_by", "gives", "follow_up"]


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ["kol", "answered_on"]
    raw_id_fields = ["kol", "link", "topics"]
