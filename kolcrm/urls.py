from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from accounts import views as account_views
from engagements.views import events as event_pages
from events import urls as events_urls
from offline import views as offline_views
from reminders import urls as reminder_urls
from reviews.views import desk as desk_views
from reviews.views import invitations as invitation_views
from voice import urls as voice_urls

handler400 = "common.errors.bad_request"


# The only pages reachable without signing in (besides the static files WhiteNoise serves at
# the site's root, static/root/: the service worker, the app manifest and the offline page,
# which hold no personal data). Every other view requires a login
# (accounts.middleware.LoginRequiredMiddleware). Signed token links (unsubscribe,
# calendar feed) and the health checks are added here and nowhere else.
public_urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path(
        "accounts/password-reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    *reminder_urls.public_urlpatterns,
    *invitation_views.public_urlpatterns,
    *voice_urls.public_urlpatterns,
]
for pattern in public_urlpatterns:
    pattern.callback = login_not_required(pattern.callback)

urlpatterns = [
    *public_urlpatterns,
    path("accounts/logout/", offline_views.sign_out, name="logout"),
    path(
        "accounts/password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/preferences/", account_views.preferences, name="preferences"),
    path("", include("kolpage.urls")),
    path("kols/", include("contacts.urls")),
    path("", include("engagements.urls")),
    # The events' pages: their lists and forms (events) and their detail pages, which join
    # them with gives (engagements), under one namespace.
    path("", include((events_urls.urlpatterns + event_pages.urlpatterns, "events"))),
    path("", include("search.urls")),
    path("", include("privacy.urls")),
    path("", include("voice.urls")),
    path("team/", include("reviews.urls")),
    *reminder_urls.urlpatterns,
    path("admin/", admin.site.urls),
    path("", desk_views.home, name="home"),  # a manager to their desk, anyone else to Today
]
