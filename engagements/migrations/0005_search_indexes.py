"""GIN indexes for search (engagements.selectors.search), PostgreSQL only.

Each expression is exactly the SQL Django writes for the matching SearchVector in the
selector (touchpoint_vector, kol_vector, goal_vector, interest_vector, topic_vector), so the
planner matches `vector @@ websearch_to_tsquery(...)` to the index. Change both together.
SQLite searches with LIKE and gets no index: the operation is a no-op there.
"""

from django.db import migrations

INDEXES = {
    "search_touchpoint_words": (
        "engagements_touchpoint",
        "(setweight(to_tsvector('english'::regconfig, COALESCE(they_said, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(feedback, '')), 'B')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'C'))",
    ),
    "search_kol_words": (
        "contacts_kol",
        "to_tsvector('english'::regconfig, COALESCE(name, '') || ' ' || "
        "COALESCE(institution, '') || ' ' || COALESCE(specialty, ''))",
    ),
    "search_goal_words": (
        "contacts_goal",
        "to_tsvector('english'::regconfig, COALESCE(text, '') || ' ' || "
        "COALESCE(in_it_for_kol, ''))",
    ),
    "search_interest_words": (
        "contacts_interest",
        "to_tsvector('english'::regconfig, COALESCE(note, ''))",
    ),
    "search_topic_words": (
        "contacts_topic",
        "to_tsvector('english'::regconfig, COALESCE(name, ''))",
    ),
}


class PostgresSearchIndexes(migrations.operations.base.Operation):
    """Create (and on reverse drop) the GIN indexes above when the database is PostgreSQL."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass  # expression indexes outside any model's Meta: no state to track

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, (table, expression) in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    def describe(self):
        return "Create the GIN full-text indexes for search (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("engagements", "0004_check_in_once"),
    ]

    operations = [PostgresSearchIndexes()]
