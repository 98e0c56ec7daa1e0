"""Manager page: board."""

urlpatterns: list = []
