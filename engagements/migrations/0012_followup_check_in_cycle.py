# A scheduled check-in is unique per cadence cycle (check_in_for), not per due date: a
# snoozed one no longer lets the dispatcher add a second, and a check-in added by hand on
# the day one is scheduled no longer breaks the constraint.

from django.db import migrations, models


def cycles_from_due_dates(apps, schema_editor):
    # Every existing check-in was unique per (kol, due_on): its due date was its cycle.
    FollowUp = apps.get_model("engagements", "FollowUp")
    FollowUp.objects.filter(kind="check_in").update(check_in_for=models.F("due_on"))


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0011_move_reminder_to_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="check_in_for",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(cycles_from_due_dates, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="followup", name="followup_check_in_once"),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("check_in_for__isnull", False), ("kind", "check_in")),
                fields=("kol", "check_in_for"),
                name="followup_check_in_cycle_once",
            ),
        ),
    ]
