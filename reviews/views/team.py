"""Manager page: team."""

urlpatterns: list = []
