"""KOL data: merge."""

urlpatterns: list = []
