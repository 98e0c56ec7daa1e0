# Events and opportunities moved to the events app: state only, the tables (engagements_event,
# engagements_opportunity and their many-to-many tables) and their rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0013_followup_open_check_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Event"),
                migrations.DeleteModel(name="Opportunity"),
            ],
            database_operations=[],
        ),
    ]
