"""Manager page: flow."""

urlpatterns: list = []
