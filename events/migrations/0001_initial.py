# Events and opportunities, moved from engagements (0003, 0014): state only, the tables keep
# their names (engagements_event, engagements_opportunity, their many-to-many tables) and rows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contacts", "0004_give_cadence"),
        ("engagements", "0014_move_events_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200)),
                        ("starts_on", models.DateField()),
                        ("ends_on", models.DateField()),
                        ("location", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("areas", models.ManyToManyField(blank=True, db_table="engagements_event_areas", related_name="events", to="contacts.therapeuticarea")),
                        ("attendees", models.ManyToManyField(blank=True, db_table="engagements_event_attendees", related_name="events_attended", to="contacts.kol")),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("topics", models.ManyToManyField(blank=True, db_table="engagements_event_topics", related_name="events", to="contacts.topic")),
                    ],
                    options={
                        "db_table": "engagements_event",
                        "ordering": ["-starts_on", "name"],
                        "indexes": [models.Index(fields=["ends_on"], name="event_ends_on")],
                    },
                ),
                migrations.CreateModel(
                    name="Opportunity",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("speaking", "Speaking slot"), ("publication", "Publication"), ("advisory", "Advisory role"), ("study", "Study")], max_length=16)),
                        ("title", models.CharField(max_length=200)),
                        ("description", models.TextField(blank=True)),
                        ("deadline", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("topics", models.ManyToManyField(blank=True, db_table="engagements_opportunity_topics", related_name="opportunities", to="contacts.topic")),
                    ],
                    options={
                        "db_table": "engagements_opportunity",
                        "verbose_name_plural": "opportunities",
                        "ordering": ["deadline", "title"],
                    },
                ),
            ],
        ),
    ]
