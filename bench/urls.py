"""The app's URLs plus the ceiling view, for the benchmark's own server (ROOT_URLCONF)."""

from bench import ceiling
from kolcrm.urls import urlpatterns as app_urlpatterns

urlpatterns = list(app_urlpatterns)
if not any(getattr(p, "name", None) == "bench_ceiling" for p in urlpatterns):
    urlpatterns += ceiling.urlpatterns
