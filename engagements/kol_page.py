"""What the engagements app adds to the KOL page. The page view composes this with contacts.

Each area returns lazy values (querysets, forms), so rendering one partial runs only its
own queries.
"""

from django.http import HttpRequest

from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.views import followups, ledger, plan, timeline


def kol_page_extras(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return {
        **timeline.kol_page_context(request, kol, access),
        **followups.kol_page_context(request, kol, access),
        **ledger.kol_page_context(request, kol, access),
        **plan.kol_page_context(request, kol, access),
    }
