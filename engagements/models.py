# Touchpoints, follow-ups, gives and reminders arrive with the MSL workflow issue.
