"""A KOL's data: export everything we hold, erase on request."""

urlpatterns: list = []
