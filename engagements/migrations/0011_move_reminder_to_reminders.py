# The outbox moved to the reminders app: state only, the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0010_followup_owner_open_due_kol"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Reminder")],
            database_operations=[],
        ),
    ]
