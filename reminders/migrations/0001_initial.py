# The outbox, moved from engagements (0003): state only, the table engagements_reminder and
# its rows stay where they are.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("engagements", "0011_move_reminder_to_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("digest", "Daily digest"), ("follow_up", "Follow-up due"), ("manager_weekly", "Weekly team summary")], max_length=16)),
                        ("object_key", models.CharField(blank=True, default="", max_length=64)),
                        ("due_key", models.CharField(max_length=32)),
                        ("status", models.CharField(choices=[("pending", "Waiting to be sent"), ("sending", "Sending"), ("sent", "Sent"), ("skipped", "Not sent: nothing was due any more"), ("failed", "Failed")], default="pending", max_length=8)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("subject", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("enqueued_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reminders", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "engagements_reminder",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(condition=models.Q(("status__in", ["pending", "sending"])), fields=["status", "next_attempt_at"], name="reminder_live"),
                            models.Index(fields=["recipient", "-created_at"], name="reminder_recipient_recent"),
                        ],
                        "constraints": [models.UniqueConstraint(fields=("recipient", "kind", "object_key", "due_key"), name="reminder_once")],
                    },
                ),
            ],
        ),
    ]
