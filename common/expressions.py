"""Query expressions shared by the apps' selectors."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet


class EqualsAny(Func):
    """`expression = ANY(array)` (PostgreSQL): with ARRAY(subquery), a set of ids."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def in_ids(field: str, ids: QuerySet) -> Q:
    """`field IN (ids)`, written so PostgreSQL can use an index on `field`.

    `field IN (subquery)` OR-ed with other conditions becomes a hashed subplan checked
    against every row of the table (a sequential scan). `field = ANY(ARRAY(subquery))`
    runs the subquery once and is an index condition, so OR-ed conditions become a
    BitmapOr of index scans. SQLite keeps the plain IN.
    """
    if connection.vendor == "postgresql":
        return Q(EqualsAny(F(field), ArraySubquery(ids.order_by())))
    return Q(**{f"{field}__in": ids})
