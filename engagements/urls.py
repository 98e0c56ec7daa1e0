"""Each area keeps its own url list beside its views."""

from engagements.views import (
    events,
    followups,
    ledger,
    plan,
    prep,
    privacy,
    questions,
    search,
    timeline,
    today,
)

app_name = "engagements"

urlpatterns = [
    *timeline.urlpatterns,
    *followups.urlpatterns,
    *today.urlpatterns,
    *ledger.urlpatterns,
    *plan.urlpatterns,
    *prep.urlpatterns,
    *questions.urlpatterns,
    *events.urlpatterns,
    *search.urlpatterns,
    *privacy.urlpatterns,
]
