from django.contrib import admin

from events.models import Event, Opportunity


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "location"]
    list_filter = ["areas"]
    search_fields = ["name", "location"]
    autocomplete_fields = ["topics", "attendees", "areas"]
    date_hierarchy = "starts_on"


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "deadline"]
    list_filter = ["kind"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["topics"]
