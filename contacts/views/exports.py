"""KOL data: exports."""

urlpatterns: list = []
