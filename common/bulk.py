"""Fast inserts for the benchmarks' seeding (bench/seed.py, bench_reminders, bench_search)."""

import itertools

from django.db import connection, models

BATCH = 5000


def insert(model: type[models.Model], objects) -> int:
    """COPY on PostgreSQL (an order of magnitude faster than INSERTs at this size),
    bulk_create in batches elsewhere. Returns the number of rows written."""
    count = 0
    if connection.vendor != "postgresql":
        for batch in itertools.batched(objects, BATCH):
            model.objects.bulk_create(batch, batch_size=BATCH)
            count += len(batch)
        return count
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            count += 1
    return count
