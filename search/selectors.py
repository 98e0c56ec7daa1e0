"""Search what KOLs said and wrote: touchpoints (their words, feedback, summary) and KOLs
(name, institution, specialty, goals, interests), restricted to what the user may see.

PostgreSQL: full-text search, ranked and highlighted (search.postgresql). SQLite: every word
must appear in one of the fields (search.words). Either way the results are the same shape
(search.results).
"""

from django.db import connection

from accounts.models import User
from contacts.selectors import kols_for_user
from search.postgresql import search_postgresql
from search.results import LIMIT, SearchResults
from search.words import search_words

__all__ = ["LIMIT", "normalise", "search"]


def normalise(text: str | None) -> str:
    # A NUL (?q=%00) is no search term, and PostgreSQL refuses it in a query (a 500).
    return " ".join((text or "").replace("\x00", "").split())[:300]


def search(user: User, text: str) -> SearchResults | None:
    """Touchpoints and KOLs `user` may see that match `text`; None for an empty query."""
    query = normalise(text)
    if not query:
        return None
    visible = kols_for_user(user, archived=None).order_by().values("pk")
    if connection.vendor == "postgresql":
        return search_postgresql(query, visible)
    return search_words(query, visible)
