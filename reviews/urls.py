"""Manager pages. Each area keeps its own url list beside its views."""

from reviews.views import board, desk, flow, hearing, invitations, overview, team

app_name = "reviews"

urlpatterns = [
    *overview.urlpatterns,
    *desk.urlpatterns,
    *board.urlpatterns,
    *flow.urlpatterns,
    *hearing.urlpatterns,
    *team.urlpatterns,
    *invitations.urlpatterns,
]
