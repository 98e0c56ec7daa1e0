from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import PreferencesForm
from engagements.calendar import feed_url


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    # The page shows both apps' settings; accounts' models know nothing of engagements.
    context = {"form": form, "calendar_feed_url": feed_url(request.user)}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Preferences saved.")
            return redirect("preferences")
        return render(request, "accounts/preferences.html", context, status=422)
    return render(request, "accounts/preferences.html", context)
