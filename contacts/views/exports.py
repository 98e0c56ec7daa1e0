"""KOL data: the KOL list as CSV or XLSX, with the list's own filters."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts import exports, selectors
from contacts.forms import KolFilter
from contacts.models import Kol


def _filtered_kols(request: HttpRequest) -> QuerySet[Kol]:
    """The rows the KOL list shows for this query string (every page of it)."""
    user = request.user
    owners = selectors.owners_for_manager(user) if user.is_manager else None
    kol_filter = KolFilter(
        request.GET, queryset=selectors.kol_list_rows(user, archived=False), owners=owners
    )
    # As on the list: filters that were not understood give no rows rather than all of them.
    rows = kol_filter.qs if kol_filter.is_valid() else kol_filter.queryset.none()
    return rows.prefetch_related("therapeutic_areas")


def _rows(request: HttpRequest):
    today = timezone.localdate()
    return (exports.kol_row(kol, today=today) for kol in _filtered_kols(request))


def _filename(ext: str) -> str:
    return f"kols-{timezone.localdate():%Y-%m-%d}.{ext}"


@require_GET
def kol_export_csv(request: HttpRequest) -> HttpResponse:
    return exports.csv_response(_filename("csv"), exports.KOL_COLUMNS, _rows(request))


@require_GET
def kol_export_xlsx(request: HttpRequest) -> HttpResponse:
    return exports.xlsx_response(
        _filename("xlsx"), exports.KOL_COLUMNS, _rows(request), title="KOLs"
    )


urlpatterns = [
    path("export.csv", kol_export_csv, name="kol_export_csv"),
    path("export.xlsx", kol_export_xlsx, name="kol_export_xlsx"),
]
