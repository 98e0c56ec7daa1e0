"""Stored search vectors for KOLs and goals (engagements.selectors.search), PostgreSQL only.

Search now checks visibility first (the user's KOLs, through the kol indexes) and then each
candidate's vector. Expression indexes made that check recompute to_tsvector for every
candidate (a manager sees thousands of KOLs); generated columns store the vector once per
write, as 0006 does for touchpoints. The expressions are the selector's kol_vector() and
goal_vector() (and 0005's index expressions): change them together.

The expression indexes of 0005 on the same vectors, and 0005's touchpoint expression index
(replaced by 0006's stored column), are no longer used: dropped. SQLite searches with LIKE:
a no-op there.
"""

from django.db import migrations

COLUMN = "search_document"
DOCUMENTS = {
    # table: (GIN index on the stored column, the vector's expression)
    "contacts_kol": (
        "search_kol_document",
        "to_tsvector('english'::regconfig, COALESCE(name, '') || ' ' || "
        "COALESCE(institution, '') || ' ' || COALESCE(specialty, ''))",
    ),
    "contacts_goal": (
        "search_goal_document",
        "to_tsvector('english'::regconfig, COALESCE(text, '') || ' ' || "
        "COALESCE(in_it_for_kol, ''))",
    ),
}
# 0005's indexes that the stored columns replace: (table, expression) to re-create on reverse.
REPLACED = {
    "search_touchpoint_words": (
        "engagements_touchpoint",
        "(setweight(to_tsvector('english'::regconfig, COALESCE(they_said, '')), 'A')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(feedback, '')), 'B')"
        " || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'C'))",
    ),
    "search_kol_words": ("contacts_kol", DOCUMENTS["contacts_kol"][1]),
    "search_goal_words": ("contacts_goal", DOCUMENTS["contacts_goal"][1]),
}


class PostgresSearchDocuments(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass  # columns and indexes outside the models: no state to track

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, (index, expression) in DOCUMENTS.items():
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({COLUMN})"
            )
        for index in REPLACED:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index, (table, expression) in REPLACED.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (({expression}))"
            )
        for table, (index, _) in DOCUMENTS.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}")

    def describe(self):
        return "Store the KOL and goal search vectors with GIN indexes (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_audit_merged_erased"),
        ("engagements", "0006_search_document"),
    ]

    operations = [PostgresSearchDocuments()]
