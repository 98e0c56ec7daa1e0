"""KOL data: imports."""

urlpatterns: list = []
