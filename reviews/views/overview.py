"""Manager page: overview."""

urlpatterns: list = []
