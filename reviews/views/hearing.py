"""Manager page: hearing."""

urlpatterns: list = []
