"""KOL page part and views: followups ."""

from django.http import HttpRequest

from contacts.models import Kol
from contacts.selectors import KolAccess


def kol_page_context(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {}


urlpatterns: list = []
