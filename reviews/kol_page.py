"""What the reviews app adds to the KOL page (the page view composes it with the others)."""

from django.http import HttpRequest

from contacts.models import Kol
from contacts.selectors import KolAccess


def kol_page_extras(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {}
