from django.contrib import admin

from reminders.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "due_key", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["recipient__email", "subject", "last_error", "object_key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Reminder._meta.fields if f.name != "status"]
