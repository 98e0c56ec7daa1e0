"""Each area keeps its own url list beside its views; the KOL page's parts are listed with
the page, in kolpage/urls.py."""

from engagements.views import prep, questions, timeline, today

app_name = "engagements"

urlpatterns = [
    *timeline.urlpatterns,
    *today.urlpatterns,
    *prep.urlpatterns,
    *questions.urlpatterns,
]
