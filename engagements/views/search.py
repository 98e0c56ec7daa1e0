"""Search what KOLs said."""

urlpatterns: list = []
