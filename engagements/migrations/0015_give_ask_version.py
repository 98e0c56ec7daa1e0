"""Gives and asks are edited by more than one person: a stale edit is refused, not saved."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0014_move_events_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="ask",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="give",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
