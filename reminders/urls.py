"""The reminders app's pages; `public_urlpatterns` are listed with the others in kolcrm.urls."""

from django.urls import path, re_path

from reminders.views import calendar, health, sent

urlpatterns = [
    path("reminders/sent/", sent.sent_reminders, name="sent_reminders"),
    path("reminders/digest-now/", sent.digest_now, name="digest_now"),
    path("reminders/health/", health.health_page, name="reminders_health"),
    path("reminders/email-links/stop/", sent.email_links_stop, name="email_links_stop"),
    path("calendar/link/", calendar.calendar_link_create, name="calendar_link_create"),
    path("calendar/link/replace/", calendar.calendar_link_replace, name="calendar_link_replace"),
]
public_urlpatterns = [
    path("unsubscribe/<str:token>/", sent.unsubscribe, name="unsubscribe"),
    # The token part may be empty, so that "/calendar/.ics" gets the invalid-link page too.
    re_path(r"^calendar/(?P<token>[^/]*)\.ics$", calendar.calendar_feed, name="calendar_feed"),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health_live"),
]
