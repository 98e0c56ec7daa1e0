"""A stored, weighted search vector for touchpoints (engagements.selectors.search), PostgreSQL only.

Matching through the expression index of 0005 is fast, but ts_rank and phrase rechecks then
recompute every matched row's vector. A generated column stores it once per write. The
expression is the selector's touchpoint vector (the one of 0005's search_touchpoint_words):
change them together. The model has no field for it (SQLite has no tsvector, and Django
never writes a generated column it does not know); the selector reads it with RawSQL.
SQLite searches with LIKE: the operation is a no-op there.
"""

from django.db import migrations

TABLE = "engagements_touchpoint"
COLUMN = "search_document"
INDEX = "search_touchpoint_document"
EXPRESSION = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(they_said, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(feedback, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'C')"
)


class PostgresSearchDocument(migrations.operations.base.Operation):
    """Add (and on reverse drop) the generated column and its GIN index on PostgreSQL."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass  # a column outside the model: no state to track

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ({COLUMN})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")

    def describe(self):
        return "Add the stored search vector of touchpoints and its GIN index (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_search_indexes"),
    ]

    operations = [PostgresSearchDocument()]
